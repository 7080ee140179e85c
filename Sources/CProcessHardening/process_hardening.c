#include "process_hardening.h"
#include <sys/prctl.h>

int journey_set_non_dumpable(void) { return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0); }

int journey_get_dumpable(void) { return prctl(PR_GET_DUMPABLE, 0, 0, 0, 0); }
