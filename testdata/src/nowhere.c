/* Stub for libnowhere.so.1: only linked against, never shipped. */
int nowhere_answer(void)
{
    return 42;
}
