/* The floor: what any tool that says which files of a tree are binaries must at least do.
 *
 *   floor [-n BYTES] PATH...
 *
 * Walks each PATH without following symlinks (nftw, FTW_PHYS), opens every regular file, reads
 * its first BYTES bytes (default 64, enough for an ELF, PE or Mach-O magic and an ELF header's
 * class, data and machine fields) and closes it. One thread; nothing is parsed. Prints the
 * number of directories, regular files and files it could not open, and the bytes read, so a
 * run can be checked against the tree. bench/run.sh compiles it with `gcc -O2` and uses its
 * CPU time (user + sys) as the denominator of issue 14's goal.
 *
 * FTW_CHDIR makes nftw enter each directory, so files are opened by their name alone rather
 * than by a full path the kernel would walk again for every file; nftw still lstat()s every
 * entry, which a walker that trusts getdents' d_type can skip.
 */
#define _XOPEN_SOURCE 700
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t want = 64;
static unsigned long long dirs, files, failed, bytes;

static int visit(const char *path, const struct stat *st, int type, struct FTW *ftw) {
    (void)st;
    if (type == FTW_D) {
        dirs++;
        return 0;
    }
    if (type != FTW_F || !S_ISREG(st->st_mode))
        return 0; /* symlinks, FIFOs, devices, sockets, unreadable directories */
    files++;
    /* With FTW_CHDIR the working directory is the file's own. O_NONBLOCK guards against
     * a file that turned into a FIFO between the lstat and the open. */
    int fd = open(path + ftw->base, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        failed++;
        return 0;
    }
    char buf[4096];
    ssize_t n = read(fd, buf, want);
    if (n > 0)
        bytes += (unsigned long long)n;
    close(fd);
    return 0;
}

int main(int argc, char **argv) {
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "-n") == 0) {
        long n = strtol(argv[i + 1], NULL, 10);
        if (n < 1 || n > 4096) {
            fprintf(stderr, "floor: -n takes 1 to 4096 bytes\n");
            return 2;
        }
        want = (size_t)n;
        i += 2;
    }
    if (i >= argc) {
        fprintf(stderr, "usage: floor [-n BYTES] PATH...\n");
        return 2;
    }
    int status = 0;
    for (; i < argc; i++) {
        if (nftw(argv[i], visit, 64, FTW_PHYS | FTW_CHDIR) != 0) {
            fprintf(stderr, "floor: %s: %s\n", argv[i], strerror(errno));
            status = 1;
        }
    }
    printf("directories %llu, regular files %llu, not opened %llu, bytes read %llu\n", dirs, files, failed,
           bytes);
    return status;
}
