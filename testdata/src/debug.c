/* Source of the debug-info variants (unstripped, stripped, split,
   compressed, symtab-only). */
#include <stdio.h>
#include <stdlib.h>

struct point {
    int x;
    int y;
};

static int manhattan(const struct point *a, const struct point *b)
{
    return abs(a->x - b->x) + abs(a->y - b->y);
}

int main(int argc, char **argv)
{
    struct point origin = { 0, 0 };
    struct point p = { argc, argc > 1 ? atoi(argv[1]) : 7 };
    printf("%d\n", manhattan(&origin, &p));
    return 0;
}
