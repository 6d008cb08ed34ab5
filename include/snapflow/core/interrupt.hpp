// SIGTERM and SIGUSR1 (what SLURM sends before a job's time limit, see jobs/run.sbatch) as a
// request to stop cleanly: a long run finishes the frames in flight, flushes and exits with
// a message saying how to resume. A second signal asks to abandon the frames in flight.
#pragma once

namespace snapflow {

// Installs the handlers (idempotent).
void install_interrupt_handlers();
// Signals received so far by this process.
int interrupt_requests();
// The signal last received (0 if none), for messages.
int last_interrupt_signal();

}  // namespace snapflow
