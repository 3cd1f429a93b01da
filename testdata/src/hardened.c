/* Uses a stack buffer and fortifiable calls, so that -fstack-protector-strong and
   -D_FORTIFY_SOURCE=2 leave __stack_chk_fail and __memcpy_chk/__printf_chk imports. */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    char buffer[64];
    memcpy(buffer, argv[0], strlen(argv[0]) % sizeof buffer);
    buffer[sizeof buffer - 1] = 0;
    printf("%s %d\n", buffer, argc);
    return 0;
}
