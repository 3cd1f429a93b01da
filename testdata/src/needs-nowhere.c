/* Needs libnowhere.so.1, which no system and no bundle provides. */
#include <stdio.h>

int nowhere_answer(void);

int main(void)
{
    printf("%d\n", nowhere_answer());
    return 0;
}
