/* Built with mingw-w64: a PE32+ executable, which shipcheck must recognise
   as "not ELF" rather than fail on. */
#include <stdio.h>

int main(void)
{
    puts("hello, windows");
    return 0;
}
