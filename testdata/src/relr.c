/* A PIE full of pointers in read-only data: every entry is a relative
   relocation, so -z pack-relative-relocs makes ld emit DT_RELR and the
   GLIBC_ABI_DT_RELR version need (glibc 2.36+). */
#include <stdio.h>

static void f0(void) { puts("f0"); }
static void f1(void) { puts("f1"); }
static void f2(void) { puts("f2"); }
static void f3(void) { puts("f3"); }

static void (*const table[])(void) = { f0, f1, f2, f3, f0, f1, f2, f3 };

static const char *const names[] = {
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
    "iota", "kappa", "lambda", "mu", "nu", "xi", "omicron", "pi",
};

int main(int argc, char **argv)
{
    (void)argv;
    table[argc & 7]();
    puts(names[argc & 15]);
    return 0;
}
