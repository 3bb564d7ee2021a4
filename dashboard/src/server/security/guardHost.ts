import type { NextFunction, Request, Response } from 'express';
import { sendRefusal } from '../http/sendRefusal.js';
import type { HostAllowList } from './HostAllowList.js';
import { RefusalCode, hostRefusalMessage } from './refusalMessages.js';

/**
 * Express middleware that refuses, with 403 `host_not_allowed`, every request whose `Host` header is not
 * on the allow-list (see {@link HostAllowList}), before anything else reads it.
 *
 * @example
 * ```ts
 * app.use(guardHost(new HostAllowList('127.0.0.1', [])));
 * ```
 */
export function guardHost(hosts: HostAllowList): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    if (hosts.allows(req.headers.host)) {
      next();
      return;
    }
    res.setHeader('Connection', 'close');
    sendRefusal(req, res, 403, RefusalCode.HOST_NOT_ALLOWED, hostRefusalMessage(req.headers.host, hosts));
  };
}
