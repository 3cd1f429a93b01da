/* An executable that needs libA.so and libB.so itself. Loader-oracle trees, tests/loader_oracle.rs. */
int a(void);
int b(void);
int main(void) { return a() + b(); }
