#include <cblas.h>

// OpenBLAS's own (exported, undeclared in cblas.h): stops the worker threads, which otherwise spin
// on sched_yield for a while after start-up and after every threaded call. The next threaded call
// starts them again.
int blas_thread_shutdown_(void);
