/*
 * Included first into every file of a host unit test (gcc -include): the
 * shim param.h, lock.h and cpu.h define the same include guards as the
 * kernel's, so whichever file asks for those headers later gets the shims.
 * The angle brackets search the include path, whose first entry is this
 * directory.
 */
#include <param.h>
#include <lock.h>
#include <cpu.h>
