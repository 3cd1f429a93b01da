/* An executable that needs libC.so. Loader-oracle trees, tests/loader_oracle.rs. */
int c(void);
int main(void) { return c(); }
