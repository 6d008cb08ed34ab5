#include "snapflow/core/interrupt.hpp"

#include <csignal>

namespace snapflow {

namespace {
volatile std::sig_atomic_t requests = 0;
volatile std::sig_atomic_t last_signal = 0;

extern "C" void on_interrupt(int signal) {
  requests = requests + 1;
  last_signal = signal;
}
}  // namespace

void install_interrupt_handlers() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGUSR1, &action, nullptr);
}

int interrupt_requests() {
  return requests;
}
int last_interrupt_signal() {
  return last_signal;
}

}  // namespace snapflow
