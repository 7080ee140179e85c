#ifndef JOURNEY_PROCESS_HARDENING_H
#define JOURNEY_PROCESS_HARDENING_H

// prctl(2) is variadic, which Swift cannot call; these two fixed-argument wrappers can be.

/// prctl(PR_SET_DUMPABLE, 0): no core dumps, no ptrace attach or /proc/PID/mem reads by
/// other processes of the same user. Returns 0, or -1 with errno set.
int journey_set_non_dumpable(void);

/// prctl(PR_GET_DUMPABLE): 1 when dumpable, 0 when not, -1 on error.
int journey_get_dumpable(void);

#endif
