/**
 * The error a queued run ends with when a job failed on every attempt (or was refused). It lives
 * apart from the coordinator so that the command line can recognise it without loading BullMQ.
 */
export class QueueJobFailed extends Error {}
