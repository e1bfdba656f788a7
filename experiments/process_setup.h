// Process-level settings shared by the drivers (run, sweep).
#ifndef EXPERIMENTS_PROCESS_SETUP_H_
#define EXPERIMENTS_PROCESS_SETUP_H_

namespace huale {

// LibTorch's OpenMP threads busy-wait between parallel regions by default; with
// the loader's threads on the same two cores that made training 3x slower here.
// libgomp reads OMP_WAIT_POLICY only when it loads, so when the variable is
// unset this sets it to PASSIVE and re-executes the binary (once). A user's own
// setting is kept.
void ReexecWithPassiveOpenMpWait(char** argv);

// Intra-op threads: the flag if > 0, else the spec's if > 0, else $HUALE_THREADS,
// else every core.
int ChooseThreadCount(int flag_threads, int spec_threads);

}  // namespace huale

#endif  // EXPERIMENTS_PROCESS_SETUP_H_
