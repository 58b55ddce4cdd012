/* Referenced from the asm. */
int litmus_devnull = -1, litmus_devzero = -1, litmus_tgid;
__thread int litmus_tid;
uint64_t litmus_delay_iters[NDELAYS + 1];

static int64_t *litmus_sh;                 /* MAP_SHARED: memory cells and counters survive a kill */
static __thread litmus_fn *litmus_handler;
static volatile int litmus_go, litmus_stop, litmus_ready;
struct litmus_thread { int idx; pthread_t pt; pid_t tid; volatile int done; volatile int pinned; };
static struct litmus_thread litmus_threads[NTHREADS];

static struct rseq *litmus_rseq_area(void) { return (struct rseq *)((char *)__builtin_thread_pointer() + __rseq_offset); }

static void litmus_pin_self(int cpu) {
  cpu_set_t set; CPU_ZERO(&set); CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof set, &set) != 0) { perror("sched_setaffinity"); _exit(4); }
}

static uint64_t litmus_rng(uint64_t *s) { uint64_t x = *s; x ^= x << 13; x ^= x >> 7; x ^= x << 17; return *s = x; }
static uint64_t litmus_now_us(void) { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u; }

/* The saved IP is where the thread was interrupted, after the kernel's fixup (abort_ip when it aborted). */
static void litmus_on_signal(int sig, siginfo_t *info, void *ucv) {
  (void)sig; (void)info;
  int64_t k = __atomic_fetch_add(&litmus_sh[SIG_SLOT], 1, __ATOMIC_RELAXED);
  if (k < NSIGLOG) litmus_sh[SIGIP_BASE + k] = (int64_t)((const ucontext_t *)ucv)->uc_mcontext.gregs[REG_RIP];
  if (litmus_handler) litmus_handler(litmus_sh, (long)__rseq_offset);
}

static void *litmus_thread_main(void *arg) {
  struct litmus_thread *t = arg;
  int i = t->idx;
  t->tid = (pid_t)syscall(SYS_gettid);
  litmus_tid = t->tid;
  litmus_sh[TID_BASE + i] = t->tid;
  litmus_pin_self(litmus_cpu[i]);
  litmus_handler = litmus_handler_of[i];
  if (litmus_tflags[i]) litmus_rseq_area()->flags = litmus_tflags[i];   /* thread-wide NO_RESTART flags */
  t->pinned = 1;
  __atomic_add_fetch(&litmus_ready, 1, __ATOMIC_SEQ_CST);
  while (!__atomic_load_n(&litmus_go, __ATOMIC_ACQUIRE)) __builtin_ia32_pause();
  sigset_t s; sigemptyset(&s); sigaddset(&s, SIGUSR1);
  pthread_sigmask(SIG_UNBLOCK, &s, 0);
  litmus_prog[i](litmus_sh, (long)__rseq_offset);   /* returns with SIGUSR1 blocked (the done instruction) */
  __atomic_store_n(&t->done, 1, __ATOMIC_RELEASE);
  return 0;
}

static void *litmus_competitor(void *arg) {
  litmus_pin_self((int)(intptr_t)arg);
  /* Idle until the start, so that thread setup is quick; then a busy loop on the CPU. */
  while (!__atomic_load_n(&litmus_go, __ATOMIC_ACQUIRE)) { struct timespec ts = { 0, 20000 }; nanosleep(&ts, 0); }
  while (!__atomic_load_n(&litmus_stop, __ATOMIC_ACQUIRE)) __builtin_ia32_pause();
  return 0;
}

static int litmus_cmp_u64(const void *a, const void *b) { uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b; return x < y ? -1 : x > y; }

/* Signals (pthread_kill) and migrations (sched_setaffinity of another thread) at random times. */
static void *litmus_helper(void *arg) {
  uint64_t seed = (uint64_t)(uintptr_t)arg * 0x9e3779b97f4a7c15ull + 1;
  enum { NEV = NSIGNALS + NMIGRATIONS };
  uint64_t at[NEV + 1]; int kind[NEV + 1];
  for (int e = 0; e < NEV; e++) at[e] = litmus_rng(&seed) % WINDOW_US;
  qsort(at, NEV, sizeof at[0], litmus_cmp_u64);
  int sigs = NSIGNALS, migs = NMIGRATIONS;
  for (int e = 0; e < NEV; e++) {   /* which event comes when: a random interleaving of the two kinds */
    int k = (sigs > 0 && (migs == 0 || litmus_rng(&seed) % (uint64_t)(sigs + migs) < (uint64_t)sigs)) ? 0 : 1;
    kind[e] = k; if (k == 0) sigs--; else migs--;
  }
  while (!__atomic_load_n(&litmus_go, __ATOMIC_ACQUIRE)) __builtin_ia32_pause();
  uint64_t t0 = litmus_now_us();
  for (int e = 0; e < NEV; e++) {
    uint64_t now = litmus_now_us();
    if (now < t0 + at[e]) { struct timespec ts = { 0, (long)((t0 + at[e] - now) * 1000u) }; nanosleep(&ts, 0); }
    int cand[NTHREADS], n = 0;
    for (int i = 0; i < NTHREADS; i++) {
      if (__atomic_load_n(&litmus_threads[i].done, __ATOMIC_ACQUIRE)) continue;
      if (kind[e] == 0 && litmus_handler_of[i]) cand[n++] = i;
      if (kind[e] == 1) { int c = 0; for (int j = 0; j < NCPUS; j++) c += litmus_allowed[i][j]; if (c > 1) cand[n++] = i; }
    }
    if (n == 0) continue;
    int i = cand[litmus_rng(&seed) % (uint64_t)n];
    if (kind[e] == 0) {
      if (pthread_kill(litmus_threads[i].pt, SIGUSR1) == 0) __atomic_add_fetch(&litmus_sh[SENT_SLOT], 1, __ATOMIC_RELAXED);
    } else {
      int to[NCPUS], m = 0;
      cpu_set_t cur; CPU_ZERO(&cur);
      sched_getaffinity(litmus_threads[i].tid, sizeof cur, &cur);
      for (int j = 0; j < NCPUS; j++) if (litmus_allowed[i][j] && !CPU_ISSET(j, &cur)) to[m++] = j;
      if (m == 0) continue;
      cpu_set_t set; CPU_ZERO(&set); CPU_SET(to[litmus_rng(&seed) % (uint64_t)m], &set);
      if (sched_setaffinity(litmus_threads[i].tid, sizeof set, &set) == 0) __atomic_add_fetch(&litmus_sh[MIG_SLOT], 1, __ATOMIC_RELAXED);
    }
  }
  return 0;
}

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

/* One run, in a child process: a kill by the kernel ends only this run. */
static void litmus_child(int run, uint64_t seed) {
  alarm(RUN_TIMEOUT_S);
#if USES_MEMBARRIER
  if (syscall(SYS_membarrier, 1 << 8 /* MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ */, 0, 0) != 0) { perror("membarrier register"); _exit(3); }
#endif
  struct sigaction sa; memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = litmus_on_signal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART | (SIGNAL_NESTING > 1 ? SA_NODEFER : 0);
  sigemptyset(&sa.sa_mask);
  sigaction(SIGUSR1, &sa, 0);
  sigset_t s; sigemptyset(&s); sigaddset(&s, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &s, 0);   /* inherited by every thread; model threads unblock it at their start */
  pthread_t comp[NCPUS];
  for (int c = 0; c < NCPUS; c++)
    if (COMPETITORS && litmus_used_cpu[c] && pthread_create(&comp[c], 0, litmus_competitor, (void *)(intptr_t)c) != 0) _exit(5);
  for (int i = 0; i < NTHREADS; i++) {
    litmus_threads[i].idx = i;
    if (pthread_create(&litmus_threads[i].pt, 0, litmus_thread_main, &litmus_threads[i]) != 0) _exit(5);
  }
  pthread_t helper;
  int with_helper = NSIGNALS + NMIGRATIONS > 0;
  if (with_helper && pthread_create(&helper, 0, litmus_helper, (void *)(uintptr_t)(seed + (uint64_t)run)) != 0) _exit(5);
  while (__atomic_load_n(&litmus_ready, __ATOMIC_ACQUIRE) < NTHREADS) { struct timespec ts = { 0, 20000 }; nanosleep(&ts, 0); }
#if NTRACED > 0
  /* The parent attaches to the traced threads now (litmus_trace), before they start. */
  __atomic_store_n(&litmus_sh[TRACE_SLOT], 1, __ATOMIC_RELEASE);
  int64_t traced;
  while ((traced = __atomic_load_n(&litmus_sh[TRACE_SLOT], __ATOMIC_ACQUIRE)) == 1) { struct timespec ts = { 0, 20000 }; nanosleep(&ts, 0); }
  if (traced != 2) _exit(9);
#endif
  __atomic_store_n(&litmus_go, 1, __ATOMIC_RELEASE);
  for (int i = 0; i < NTHREADS; i++) pthread_join(litmus_threads[i].pt, 0);
  __atomic_store_n(&litmus_stop, 1, __ATOMIC_RELEASE);
  if (with_helper) pthread_join(helper, 0);
  for (int c = 0; c < NCPUS; c++) if (COMPETITORS && litmus_used_cpu[c]) pthread_join(comp[c], 0);
  _exit(0);
}

/* Whether the syscall instruction at `addr` is one of thread t's model syscalls at which its tracer may set the IP. */
static int litmus_stop_here(int t, uint64_t addr) {
  int p = litmus_tprog[t];
  for (int k = 0; k < litmus_prog_len[p]; k++)
    if (litmus_pc[p][k] <= addr && addr < litmus_pc[p][k + 1]) return litmus_stops[p][k];
  return 0;
}

/*
 * The tracer of the traced threads (litmus_tracer), run by the parent while the run's child runs:
 * it attaches (PTRACE_SEIZE) once the child's threads are ready and before they start, then
 * single-steps a thread (1) or, under PTRACE_SYSCALL, sets its IP once (PTRACE_SETREGS) at the
 * first syscall-entry (2) or syscall-exit (3) stop of one of its model syscalls and lets it run on
 * (PTRACE_CONT). Signals for a traced thread are delivered. Returns when every traced thread has
 * ended, or when the child ended before they were ready.
 */
static void litmus_trace(pid_t child) {
  for (;;) {
    if (__atomic_load_n(&litmus_sh[TRACE_SLOT], __ATOMIC_ACQUIRE) == 1) break;
    siginfo_t si; si.si_pid = 0;
    if (waitid(P_PID, child, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == child) return;
    struct timespec ts = { 0, 20000 }; nanosleep(&ts, 0);
  }
  pid_t tid[NTHREADS]; int set[NTHREADS], live = 0, attached = 1;
  for (int i = 0; i < NTHREADS; i++) {
    tid[i] = 0; set[i] = 0;
    if (!litmus_tracer[i] || !attached) continue;
    pid_t t = (pid_t)litmus_sh[TID_BASE + i];
    if (ptrace(PTRACE_SEIZE, t, 0, (void *)(long)(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) != 0) { attached = 0; continue; }
    tid[i] = t; live++;
    int st;
    if (ptrace(PTRACE_INTERRUPT, t, 0, 0) != 0 || waitpid(t, &st, __WALL) != t || !WIFSTOPPED(st) ||
        ptrace(litmus_tracer[i] == 1 ? PTRACE_SINGLESTEP : PTRACE_SYSCALL, t, 0, 0) != 0) attached = 0;
  }
  /* Not attached: the child exits 9, and the threads already traced are waited for below. */
  __atomic_store_n(&litmus_sh[TRACE_SLOT], attached ? 2 : 3, __ATOMIC_RELEASE);
  while (live > 0) {
    int st;
    pid_t w = waitpid(-1, &st, __WALL);
    if (w < 0) { if (errno == EINTR) continue; return; }
    int i = 0;
    while (i < NTHREADS && tid[i] != w) i++;
    if (i == NTHREADS) continue;
    if (WIFEXITED(st) || WIFSIGNALED(st)) { live--; continue; }
    if (!WIFSTOPPED(st)) continue;
    int sig = WSTOPSIG(st), deliver = 0;
    if (sig == (SIGTRAP | 0x80)) {   /* a syscall stop (PTRACE_O_TRACESYSGOOD) */
      struct user_regs_struct regs;
      if (litmus_tracer[i] >= 2 && !set[i] && ptrace(PTRACE_GETREGS, w, 0, &regs) == 0) {
        int entry = (long long)regs.rax == -ENOSYS;   /* rax is -ENOSYS at the entry stop */
        if (entry == (litmus_tracer[i] == 2) && litmus_stop_here(i, regs.rip - 2)) {   /* rip follows the 2-byte syscall */
          regs.rip = litmus_pc[litmus_tprog[i]][litmus_tracer_ip[i]];
          if (ptrace(PTRACE_SETREGS, w, 0, &regs) == 0) set[i] = 1;
        }
      }
    } else if (sig == SIGTRAP && litmus_tracer[i] == 1) {
      /* a single step: the trap is the tracer's */
    } else if ((st >> 16) == 0) deliver = sig;   /* a signal for the thread (not a ptrace event stop) */
    long req = litmus_tracer[i] == 1 ? PTRACE_SINGLESTEP : set[i] ? PTRACE_CONT : PTRACE_SYSCALL;
    ptrace((enum __ptrace_request)req, w, 0, (void *)(long)deliver);
  }
}

/* PTRACE_GET_RSEQ_CONFIGURATION on a stopped child: the length and signature the kernel holds. */
static void litmus_rseq_config(long *len, long *sig) {
  *len = -1; *sig = -1;
  pid_t parent = getpid();
  pid_t c = fork();
  if (c < 0) return;
  if (c == 0) { litmus_die_with_parent(parent); ptrace(PTRACE_TRACEME, 0, 0, 0); raise(SIGSTOP); _exit(0); }
  int st;
  if (waitpid(c, &st, 0) == c && WIFSTOPPED(st)) {
    struct { uint64_t ptr; uint32_t size, sig, flags, pad; } conf;
    memset(&conf, 0, sizeof conf);
    if (ptrace((enum __ptrace_request)0x420f /* PTRACE_GET_RSEQ_CONFIGURATION */, c, (void *)sizeof conf, &conf) > 0) { *len = conf.size; *sig = conf.sig; }
  }
  kill(c, SIGKILL);
  waitpid(c, &st, 0);
}

int main(int argc, char **argv) {
  long runs = argc > 1 ? atol(argv[1]) : 100;
  double seconds = argc > 2 ? atof(argv[2]) : 5.0;
  uint64_t seed = argc > 3 ? strtoull(argv[3], 0, 10) : 1;
  int probe = argc > 4 && strcmp(argv[4], "probe") == 0;
  setvbuf(stdout, 0, _IOFBF, 1 << 16);
  printf("LITMUS 1\n");
  if ((int)__rseq_size <= 0) { printf("CANNOT glibc did not register rseq for this thread (__rseq_size == 0: the glibc.pthread.rseq tunable is 0, or the kernel has no rseq)\n"); return 2; }
  if ((int32_t)litmus_rseq_area()->cpu_id < 0) { printf("CANNOT the rseq area of the main thread is not registered (cpu_id %d)\n", (int)(int32_t)litmus_rseq_area()->cpu_id); return 2; }
  cpu_set_t mine; CPU_ZERO(&mine);
  if (sched_getaffinity(0, sizeof mine, &mine) != 0) { printf("CANNOT sched_getaffinity failed: %s\n", strerror(errno)); return 2; }
  for (int c = 0; c < NCPUS; c++)
    if (litmus_used_cpu[c] && !CPU_ISSET(c, &mine)) { printf("CANNOT the model places threads on CPU %d, which this process may not use (the model's CPU i is the machine's CPU i)\n", c); return 2; }
  long rlen, rsig;
  litmus_rseq_config(&rlen, &rsig);
  printf("RSEQ size=%u offset=%ld flags=%u reglen=%ld regsig=%ld\n", __rseq_size, (long)__rseq_offset, __rseq_flags, rlen, rsig);
  if (rsig >= 0 && (uint32_t)rsig != LITMUS_RSEQ_SIG) { printf("CANNOT the kernel holds signature 0x%lx for this process, not RSEQ_SIG 0x%x\n", rsig, LITMUS_RSEQ_SIG); return 2; }
  for (int d = 0; d < NDESC; d++) {
    const struct litmus_rseq_cs *cs = litmus_cs[d];
    printf("DESC %d %s prog=%d start=0x%llx post=%llu abort=0x%llx version=%u flags=%u sigword=0x%x\n", d, litmus_desc_names[d], litmus_desc_prog[d],
           (unsigned long long)cs->start_ip, (unsigned long long)cs->post_commit_offset, (unsigned long long)cs->abort_ip, cs->version, cs->flags,
           *(const uint32_t *)(uintptr_t)(cs->abort_ip - 4));
  }
  for (int p = 0; p < NPROGS; p++)
    for (int i = 0; i <= litmus_prog_len[p]; i++) printf("PC %d %d 0x%llx\n", p, i, (unsigned long long)litmus_pc[p][i]);
  for (int c = 0; c < NCELLS; c++) printf("CELL %d %s\n", c, litmus_cell_names[c]);
  for (int i = 0; i < NTHREADS; i++) printf("THREAD %d %s cpu=%d flags=%u\n", i, litmus_tname[i], litmus_cpu[i], litmus_tflags[i]);
  if (probe) { printf("DONE runs=0 seconds=0\n"); fflush(stdout); return 0; }
  /* Calibrate the delay loops. */
  uint64_t t0 = litmus_now_us(); litmus_spin(20000000); uint64_t dt = litmus_now_us() - t0; if (dt == 0) dt = 1;
  double per_us = 20000000.0 / (double)dt;
  for (int k = 0; k < NDELAYS; k++) litmus_delay_iters[k] = (uint64_t)(per_us * (double)litmus_delay_us[k]);
  printf("CALIBRATE iterations_per_us=%.1f\n", per_us);
  litmus_devnull = open("/dev/null", O_WRONLY);
  litmus_devzero = open("/dev/zero", O_RDONLY);
  litmus_tgid = getpid();
  litmus_sh = mmap(0, SHARED_WORDS * sizeof(int64_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (litmus_sh == MAP_FAILED) { printf("CANNOT mmap: %s\n", strerror(errno)); return 2; }
  uint64_t start = litmus_now_us();
  long r;
  for (r = 0; r < runs && (double)(litmus_now_us() - start) < seconds * 1e6; r++) {
    memset(litmus_sh, 0, SHARED_WORDS * sizeof(int64_t));
    memcpy(litmus_sh, litmus_init, NCELLS * sizeof(int64_t));
    fflush(stdout);
    uint64_t r0 = litmus_now_us();
    pid_t c = fork();
    if (c < 0) { printf("CANNOT fork: %s\n", strerror(errno)); return 2; }
    if (c == 0) { litmus_die_with_parent(litmus_tgid); litmus_tgid = getpid(); litmus_child((int)r, seed); }
    if (NTRACED > 0) litmus_trace(c);
    int st;
    while (waitpid(c, &st, 0) < 0 && errno == EINTR) {}
    printf("RUN %ld us=%llu ", r, (unsigned long long)(litmus_now_us() - r0));
    if (WIFSIGNALED(st)) printf("signal=%d", WTERMSIG(st));
    else printf("exit=%d", WEXITSTATUS(st));
    printf(" mem=");
    for (int i = 0; i < NCELLS; i++) printf(i ? ",%lld" : "%lld", (long long)litmus_sh[i]);
    printf(" kab=");
    for (int i = 0; i < NSITES; i++) printf(i ? ",%lld" : "%lld", (long long)litmus_sh[KAB_BASE + i]);
    printf(" bab=");
    for (int i = 0; i < NSITES; i++) printf(i ? ",%lld" : "%lld", (long long)litmus_sh[BAB_BASE + i]);
    printf(" asserts=%lld sigs=%lld migs=%lld tids=", (long long)litmus_sh[ASSERT_SLOT], (long long)litmus_sh[SIG_SLOT], (long long)litmus_sh[MIG_SLOT]);
    for (int i = 0; i < NTHREADS; i++) printf(i ? ",%lld" : "%lld", (long long)litmus_sh[TID_BASE + i]);
    printf(" sent=%lld sigip=", (long long)litmus_sh[SENT_SLOT]);
    for (int i = 0; i < NSIGLOG && i < litmus_sh[SIG_SLOT]; i++) printf(i ? ",0x%llx" : "0x%llx", (unsigned long long)litmus_sh[SIGIP_BASE + i]);
    printf("\n");
  }
  printf("DONE runs=%ld seconds=%.3f\n", r, (double)(litmus_now_us() - start) / 1e6);
  fflush(stdout);
  return 0;
}
