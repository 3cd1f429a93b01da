/* Uses bundled_hello (BUNDLED_1.0) and bundled_greet (BUNDLED_2.0). */
void bundled_hello(void);
void bundled_greet(const char *who);

int main(void)
{
    bundled_hello();
    bundled_greet("app");
    return 0;
}
