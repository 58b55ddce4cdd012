/** The Redis key a coordinator sets when its run stops: the run's jobs still running abort. */
export const stopKey = (run: string): string => `rseq-check:stop:${run}`;
