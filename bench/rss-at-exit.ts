/**
 * Preload (`node --import tsx --import ./bench/rss-at-exit.ts script.ts`): prints the process's
 * peak RSS when it exits, so run.ts can report the memory of scripts it does not own.
 */
process.on('exit', () => {
  process.stdout.write(`\nBENCH_MAXRSS_KB ${process.resourceUsage().maxRSS}\n`);
});
