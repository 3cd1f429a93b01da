/* A library with version definitions VERS_1.0 and VERS_1.1 (versioned.map).
   versioned_get exists twice: the old VERS_1.0 one and the default
   VERS_1.1 one, as glibc does for changed interfaces; .symver picks
   which definition gets which node. */
int versioned_one(void)
{
    return 1;
}

int versioned_two(void)
{
    return 2;
}

int versioned_get_v1(void)
{
    return 10;
}

int versioned_get_v11(void)
{
    return 11;
}

__asm__(".symver versioned_get_v1, versioned_get@VERS_1.0");
__asm__(".symver versioned_get_v11, versioned_get@@VERS_1.1");
