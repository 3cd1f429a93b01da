/* An executable that needs libA.so. Loader-oracle trees, tests/loader_oracle.rs. */
int a(void);
int main(void) { return a(); }
