/* libC.so: linked without a soname, so a program linked by its path records the path as DT_NEEDED.
   Loader-oracle trees, tests/loader_oracle.rs. */
int c(void) { return 3; }
