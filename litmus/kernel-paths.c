/*
 * rseq-check litmus: the kernel side of the cases whose kernel path the generated programs cannot
 * drive (kernel-paths.ts). One program, four modes; each run is a child process, so a kill ends
 * only that run. Output, one record a line: LITMUS 1, then RUN <i> us=<t> exit=<e>|signal=<s>
 * mem=<cells> tids=<tid>, then DONE; CANNOT <reason> when it cannot run.
 *
 *   unregister-ipi  T1 (CPU 0) unregisters glibc's rseq area with a c.s. armed around the
 *                   rseq(UNREGISTER) syscall, checks the IDs, then re-registers with a stale
 *                   rseq_cs in the area, while T2 (CPU 1) sends membarrier RSEQ IPIs to CPU 0.
 *                   cells: unreg_failed, ids_reset, aborted, stale_cleared
 *   exec-failure    execve of an executable file the kernel cannot load (ENOEXEC, inside
 *                   bprm_execve), in a c.s., with a sentinel in cpu_id_start.
 *                   cells: exec_failed, ids_rewritten, aborted
 *   ptrace-step     a tracer single-steps (odd runs) or continues (even runs) a tracee through a
 *                   c.s. that gives up after 3 aborts.      cells: stepped, committed, attempts
 *   segv-handler    a c.s. with a wrong signature word and SIGSEGV and SIGUSR1 handlers
 *                   installed; one SIGUSR1 at a random time. The SIGSEGV handler exits (even
 *                   runs) or returns (odd runs).  cells: counter, handled, segv_handled, handler_returns
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/rseq.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SIG 0x53053053u
#define RSEQ_FLAG_UNREGISTER 1
#define MB_PRIVATE_EXPEDITED_RSEQ (1 << 7)
#define MB_REGISTER_PRIVATE_EXPEDITED_RSEQ (1 << 8)
#define MB_FLAG_CPU 1
enum { TID_SLOT = 8, WORDS = 16 };

static int64_t *sh;
static volatile int stop;

static struct rseq *area(void) { return (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset); }
static uint64_t now_us(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u; }
static void spin_us(uint64_t us) { uint64_t t = now_us(); while (now_us() - t < us) __builtin_ia32_pause(); }
/*
 * First thing in a forked child: die with the parent. When litmus SIGKILLs the program (its
 * --max-seconds, a signal), the child of the current run would otherwise live on, orphaned,
 * until its run ends. A parent that died before the request took effect is no longer the
 * child's parent: then the child exits at once.
 */
static void litmus_die_with_parent(pid_t parent) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(0);
}
static void pin(int cpu) { cpu_set_t s; CPU_ZERO(&s); CPU_SET(cpu, &s); if (sched_setaffinity(0, sizeof s, &s) != 0) _exit(4); }

/* A valid descriptor, used as the stale contents of rseq_cs at re-registration. */
__asm__(".pushsection __rseq_cs, \"aw\"\n.balign 32\nkp_stale_cs: .long 0, 0\n.quad kp_stale_start, 1, kp_stale_abort\n.popsection\n"
        ".text\nkp_stale_start: nop\n.byte 0x0f, 0xb9, 0x3d\n.long 0x53053053\nkp_stale_abort: ret\n");
extern const char kp_stale_cs[];

/*
 * A four-argument syscall inside a c.s.: the range is the syscall instruction and a nop after it,
 * so the return IP (the nop) is inside. An abort increments *aborted.
 */
static __attribute__((noinline)) long cs_syscall4(long nr, long a1, long a2, long a3, long a4, int64_t *aborted) {
  register long rax __asm__("rax") = nr;
  register long rdi __asm__("rdi") = a1;
  register long rsi __asm__("rsi") = a2;
  register long rdx __asm__("rdx") = a3;
  register long r10 __asm__("r10") = a4;
  long off = (long)__rseq_offset;
  __asm__ volatile(".pushsection __rseq_cs, \"aw\"\n\t.balign 32\n3:\t.long 0, 0\n\t.quad 1f, (2f - 1f), 4f\n\t.popsection\n"
                   "\tleaq 3b(%%rip), %%r11\n\tmovq %%r11, %%fs:8(%[off])\n"
                   "1:\tsyscall\n\tnop\n"
                   "2:\tjmp 5f\n"
                   "\t.byte 0x0f, 0xb9, 0x3d\n\t.long 0x53053053\n"
                   "4:\tlock incq (%[ab])\n"
                   "5:\tmovq $0, %%fs:8(%[off])\n"
                   : "+r"(rax), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10)
                   : [off] "r"(off), [ab] "r"(aborted)
                   : "rcx", "r11", "memory", "cc");
  return rax;
}

/* ---- unregister-ipi ------------------------------------------------------------------------ */

static void *ipi_sender(void *arg) {
  (void)arg;
  pin(1);
  while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) syscall(SYS_membarrier, MB_PRIVATE_EXPEDITED_RSEQ, MB_FLAG_CPU, 0);
  return 0;
}

static void unregister_ipi(void) {
  enum { UNREG_FAILED, IDS_RESET, ABORTED, STALE_CLEARED };
  if (syscall(SYS_membarrier, MB_REGISTER_PRIVATE_EXPEDITED_RSEQ, 0, 0) != 0) _exit(3);
  pin(0);
  sh[IDS_RESET] = 1;
  sh[STALE_CLEARED] = 1;
  pthread_t t;
  if (pthread_create(&t, 0, ipi_sender, 0) != 0) _exit(5);
  struct rseq *a = area();
  long len = 32;
  for (int k = 0; k < 200; k++) {
    long r = cs_syscall4(SYS_rseq, (long)a, len, RSEQ_FLAG_UNREGISTER, SIG, &sh[ABORTED]);
    if (r == -EINVAL && len == 32 && __rseq_size != 32) { len = __rseq_size; r = cs_syscall4(SYS_rseq, (long)a, len, RSEQ_FLAG_UNREGISTER, SIG, &sh[ABORTED]); }
    if (r != 0) { sh[UNREG_FAILED] = 1; break; }
    if ((int32_t)a->cpu_id != -1 || a->cpu_id_start != 0) sh[IDS_RESET] = 0;
    spin_us(20);   /* IPIs keep coming while unregistered: nothing may write the area now */
    if ((int32_t)a->cpu_id != -1 || a->cpu_id_start != 0) sh[IDS_RESET] = 0;
    a->rseq_cs = (uint64_t)(uintptr_t)kp_stale_cs;   /* an earlier user's descriptor left in the area */
    if (syscall(SYS_rseq, a, len, 0, SIG) != 0) { sh[UNREG_FAILED] = 1; break; }
    if (a->rseq_cs != 0) sh[STALE_CLEARED] = 0;
    a->rseq_cs = 0;
  }
  __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
  pthread_join(t, 0);
}

/* ---- exec-failure ---------------------------------------------------------------------------- */

static char garbage_path[64];

static void exec_failure(void) {
  enum { EXEC_FAILED, IDS_REWRITTEN, ABORTED };
  pin(0);
  struct rseq *a = area();
  char *argv[] = { garbage_path, 0 };
  char *envp[] = { 0 };
  a->cpu_id_start = 0x7eadu;   /* read-only for user space, not enforced without CONFIG_DEBUG_RSEQ */
  long r = cs_syscall4(SYS_execve, (long)garbage_path, (long)argv, (long)envp, 0, &sh[ABORTED]);
  sh[EXEC_FAILED] = r < 0 && r > -4096;
  sh[IDS_REWRITTEN] = a->cpu_id_start != 0x7eadu;
}

/* ---- ptrace-step ----------------------------------------------------------------------------- */

/* counter += 1 in a c.s.; an abort counts in *attempts and retries, giving up at 3. */
static __attribute__((noinline)) void cs_counted_increment(int64_t *counter, int64_t *attempts) {
  long off = (long)__rseq_offset;
  __asm__ volatile(".pushsection __rseq_cs, \"aw\"\n\t.balign 32\n3:\t.long 0, 0\n\t.quad 1f, (2f - 1f), 4f\n\t.popsection\n"
                   "6:\tleaq 3b(%%rip), %%r11\n\tmovq %%r11, %%fs:8(%[off])\n"
                   "1:\tmovq (%[c]), %%r10\n\taddq $1, %%r10\n\tmovq %%r10, (%[c])\n"
                   "2:\tjmp 5f\n"
                   "\t.byte 0x0f, 0xb9, 0x3d\n\t.long 0x53053053\n"
                   "4:\taddq $1, (%[at])\n\tcmpq $3, (%[at])\n\tjl 6b\n"
                   "5:\tmovq $0, %%fs:8(%[off])\n"
                   :
                   : [off] "r"(off), [c] "r"(counter), [at] "r"(attempts)
                   : "r10", "r11", "memory", "cc");
}

static void ptrace_step(int run) {
  enum { STEPPED, COMMITTED, ATTEMPTS };
  pin(0);
  sh[STEPPED] = run & 1;
  pid_t parent = getpid();
  pid_t c = fork();
  if (c < 0) _exit(5);
  if (c == 0) {
    litmus_die_with_parent(parent);
    sh[TID_SLOT] = getpid();
    if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0) _exit(6);
    raise(SIGSTOP);
    cs_counted_increment(&sh[COMMITTED], &sh[ATTEMPTS]);
    syscall(SYS_exit_group, 0);
  }
  int st;
  if (waitpid(c, &st, 0) != c || !WIFSTOPPED(st)) _exit(6);
  for (long steps = 0;; steps++) {
    long req = sh[STEPPED] && steps < 200000 ? PTRACE_SINGLESTEP : PTRACE_CONT;
    if (ptrace((enum __ptrace_request)req, c, 0, 0) != 0) _exit(6);
    if (waitpid(c, &st, 0) != c) _exit(6);
    if (WIFEXITED(st) || WIFSIGNALED(st)) break;
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) _exit(7);
}

/* ---- segv-handler ---------------------------------------------------------------------------- */

/* counter += 1 in a c.s. whose signature word is wrong; 4 ms before the commit; rseq_cs cleared after. */
static __attribute__((noinline)) void cs_bad_signature(int64_t *counter) {
  long off = (long)__rseq_offset;
  __asm__ volatile(".pushsection __rseq_cs, \"aw\"\n\t.balign 32\n3:\t.long 0, 0\n\t.quad 1f, (2f - 1f), 4f\n\t.popsection\n"
                   "6:\tleaq 3b(%%rip), %%r11\n\tmovq %%r11, %%fs:8(%[off])\n"
                   "1:\tmovq (%[c]), %%r10\n\taddq $1, %%r10\n"
                   "\tmovq %[n], %%r11\n7:\tsubq $1, %%r11\n\tjnz 7b\n"
                   "\tmovq %%r10, (%[c])\n"
                   "2:\tjmp 5f\n"
                   "\t.byte 0x0f, 0xb9, 0x3d\n\t.long 0x12345678\n"
                   "4:\tjmp 6b\n"
                   "5:\tmovq $0, %%fs:8(%[off])\n"
                   :
                   : [off] "r"(off), [c] "r"(counter), [n] "r"(4000L * 300L)
                   : "r10", "r11", "memory", "cc");
}

static pthread_t victim;
static void on_usr1(int s) { (void)s; sh[1] += 1; }
static void on_segv(int s) {
  (void)s;
  sh[2] += 1;
  area()->rseq_cs = 0;
  if (!sh[3]) _exit(0);
}
static void *usr1_sender(void *arg) {
  uint64_t delay = (uint64_t)(uintptr_t)arg;
  spin_us(delay);
  pthread_kill(victim, SIGUSR1);
  return 0;
}

static void segv_handler(int run) {
  pin(0);
  sh[3] = run & 1;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, 0);
  sa.sa_handler = on_segv;
  sigaction(SIGSEGV, &sa, 0);
  victim = pthread_self();
  pthread_t t;
  /* The signal lands at a point spread over about 6 ms: before, inside (about 4 ms) or after the c.s. */
  if (pthread_create(&t, 0, usr1_sender, (void *)(uintptr_t)(((uint64_t)run * 2654435761u) % 6000)) != 0) _exit(5);
  spin_us(1000);
  cs_bad_signature(&sh[0]);
  spin_us(1500);
  pthread_join(t, 0);
}

int main(int argc, char **argv) {
  long runs = argc > 1 ? atol(argv[1]) : 100;
  double seconds = argc > 2 ? atof(argv[2]) : 5.0;
  const char *mode = argc > 4 ? argv[4] : "";
  setvbuf(stdout, 0, _IOFBF, 1 << 16);
  printf("LITMUS 1\n");
  if ((int)__rseq_size <= 0 || (int32_t)area()->cpu_id < 0) { printf("CANNOT glibc did not register rseq for this thread\n"); return 2; }
  cpu_set_t mine; CPU_ZERO(&mine);
  if (sched_getaffinity(0, sizeof mine, &mine) != 0 || !CPU_ISSET(0, &mine) || !CPU_ISSET(1, &mine)) { printf("CANNOT the kernel-path programs need CPUs 0 and 1\n"); return 2; }
  int m = strcmp(mode, "unregister-ipi") == 0 ? 0 : strcmp(mode, "exec-failure") == 0 ? 1 : strcmp(mode, "ptrace-step") == 0 ? 2 : strcmp(mode, "segv-handler") == 0 ? 3 : -1;
  if (m < 0) { printf("CANNOT unknown mode \"%s\"\n", mode); return 2; }
  int ncells = m == 0 || m == 3 ? 4 : 3;
  if (m == 1) {
    snprintf(garbage_path, sizeof garbage_path, "/tmp/rseq-litmus-noexec-%d", (int)getpid());
    int fd = open(garbage_path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (fd < 0 || write(fd, "not an executable\n", 18) != 18) { printf("CANNOT cannot write %s: %s\n", garbage_path, strerror(errno)); return 2; }
    close(fd);
  }
  sh = mmap(0, WORDS * sizeof(int64_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (sh == MAP_FAILED) { printf("CANNOT mmap: %s\n", strerror(errno)); return 2; }
  pid_t parent = getpid();
  uint64_t start = now_us();
  long r;
  for (r = 0; r < runs && (double)(now_us() - start) < seconds * 1e6; r++) {
    memset(sh, 0, WORDS * sizeof(int64_t));
    fflush(stdout);
    uint64_t r0 = now_us();
    pid_t c = fork();
    if (c < 0) { printf("CANNOT fork: %s\n", strerror(errno)); return 2; }
    if (c == 0) {
      litmus_die_with_parent(parent);
      alarm(10);
      if (m != 2) sh[TID_SLOT] = (int64_t)syscall(SYS_gettid);
      if (m == 0) unregister_ipi();
      else if (m == 1) exec_failure();
      else if (m == 2) ptrace_step((int)r);
      else segv_handler((int)r);
      _exit(0);
    }
    int st;
    while (waitpid(c, &st, 0) < 0 && errno == EINTR) {}
    printf("RUN %ld us=%llu ", r, (unsigned long long)(now_us() - r0));
    if (WIFSIGNALED(st)) printf("signal=%d", WTERMSIG(st));
    else printf("exit=%d", WEXITSTATUS(st));
    printf(" mem=");
    for (int i = 0; i < ncells; i++) printf(i ? ",%lld" : "%lld", (long long)sh[i]);
    printf(" tids=%lld\n", (long long)sh[TID_SLOT]);
  }
  if (m == 1) unlink(garbage_path);
  printf("DONE runs=%ld seconds=%.3f\n", r, (double)(now_us() - start) / 1e6);
  fflush(stdout);
  return 0;
}
