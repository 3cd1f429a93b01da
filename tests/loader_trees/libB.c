/* libB.so: a leaf library. Loader-oracle trees, tests/loader_oracle.rs. */
int b(void) { return 41; }
