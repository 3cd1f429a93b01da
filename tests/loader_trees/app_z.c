/* An executable that needs libz.so.1. Loader-oracle trees, tests/loader_oracle.rs. */
int z_stub(void);
int main(void) { return z_stub(); }
