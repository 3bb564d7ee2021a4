/**
 * Where the shared gates' connection to Redis stands: being made (`connecting`), working (`up`), lost and
 * reconnecting (`down`), or closed for good (`closed`).
 */
export type ConnectionState = 'connecting' | 'up' | 'down' | 'closed';
