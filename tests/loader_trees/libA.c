/* libA.so: needs libB.so (calls b). Loader-oracle trees, tests/loader_oracle.rs. */
int b(void);
int a(void) { return b() + 1; }
