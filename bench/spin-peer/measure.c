/*
 * measure OUT CMD ARGS...: runs CMD, then writes "<wall seconds> <peak RSS kB> <exit status>" to
 * OUT. The peak is wait4's ru_maxrss, which covers the child and every descendant it waited for
 * (gcc's cc1 and as, node's worker threads), so a short-lived child is measured as reliably as a
 * long one, with no polling. The bench compiles it with the gcc that SPIN needs anyway.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: measure OUT CMD ARGS...\n");
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid < 0) return perror("fork"), 2;
  if (pid == 0) {
    execvp(argv[2], argv + 2);
    perror(argv[2]);
    _exit(127);
  }
  int status;
  struct rusage usage;
  if (wait4(pid, &status, 0, &usage) < 0) return perror("wait4"), 2;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  FILE *out = fopen(argv[1], "w");
  if (!out) return perror(argv[1]), 2;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  fprintf(out, "%.3f %ld %d\n", (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, usage.ru_maxrss, code);
  fclose(out);
  return 0;
}
