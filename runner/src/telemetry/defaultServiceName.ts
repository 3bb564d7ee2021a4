/** Default `service.name` of a process's spans (and of its queued calls on the live channel). */
export const DEFAULT_SERVICE_NAME = 'overlap-app';
