/* libbundled.so.1. Built twice: BUNDLED_API=2 with bundled-2.map (defines
   BUNDLED_1.0 and BUNDLED_2.0), BUNDLED_API=1 with bundled-1.map (the older
   release, BUNDLED_1.0 only). */
#include <stdio.h>

void bundled_hello(void)
{
    puts("hello from libbundled");
}

#if BUNDLED_API >= 2
void bundled_greet(const char *who)
{
    printf("greetings, %s\n", who);
}
#endif
