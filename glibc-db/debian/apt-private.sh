# Sourced, not run: apt with a private configuration, for the scripts that fetch real
# Debian packages (glibc-db/debian/fetch.sh, testdata/build.sh).
#
# Everything apt reads or writes lives in one directory the caller chooses (its own
# sources.list, lists, archives and an empty dpkg status), so the machine's own apt state
# is never touched. The mirror is the one the machine's apt already uses, read from
# /etc/apt/sources.list* at run time, so no mirror host is written down anywhere.
#
# The sourcing script defines die MESSAGE (print and exit).

DEBIAN_ARCHIVE_KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

# apt_mirror: $SHIPCHECK_DEBIAN_MIRROR if set, else the non-security "deb" URIs of the
# machine's apt configuration, in either the one-line (.list) or the deb822 (.sources)
# format, one a line; the first is the one to use.
apt_mirror() {
    if [ -n "${SHIPCHECK_DEBIAN_MIRROR:-}" ]; then
        echo "$SHIPCHECK_DEBIAN_MIRROR"
        return
    fi
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        awk '$1 == "deb" {
                 i = 2
                 if ($i ~ /^\[/) { while ($i !~ /\]$/ && i < NF) i++; i++ }
                 if ($i !~ /security/ && $(i + 1) !~ /security/) print $i
             }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk 'BEGIN { RS = ""; FS = "\n" }
             {
                 types = ""; uris = ""; suites = ""; enabled = "yes"
                 for (i = 1; i <= NF; i++) {
                     if ($i ~ /^#/ || !match($i, /^[A-Za-z-]+:/)) continue
                     key = tolower(substr($i, 1, RLENGTH - 1))
                     val = substr($i, RLENGTH + 1)
                     gsub(/^[ \t]+|[ \t]+$/, "", val)
                     if (key == "types") types = val
                     else if (key == "uris") uris = val
                     else if (key == "suites") suites = val
                     else if (key == "enabled") enabled = tolower(val)
                 }
                 if (types ~ /(^| )deb( |$)/ && enabled != "no" && suites !~ /security/) {
                     n = split(uris, u, /[ \t]+/)
                     for (k = 1; k <= n; k++) if (u[k] !~ /security/) print u[k]
                 }
             }' "$f"
    done
}

# apt_first_mirror: the mirror to use; dies if there is none.
apt_first_mirror() {
    local mirror
    mirror="$(apt_mirror | head -n1)"
    [ -n "$mirror" ] || die "no Debian mirror found in /etc/apt/sources.list*; set SHIPCHECK_DEBIAN_MIRROR"
    echo "$mirror"
}

# apt_private_init DIR MIRROR SUITE SIGNED: creates the private configuration in DIR for
# the main component of SUITE on MIRROR. SIGNED is "signed" (the Release file must verify
# with the Debian archive keyring; dies if that is not installed) or "unsigned-ok" (use
# the keyring when installed, else trust the mirror as it is).
apt_private_init() {
    local dir="$1" mirror="$2" suite="$3" signed="$4" opt="[trusted=yes]"
    mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" "$dir/empty"
    if [ -r "$DEBIAN_ARCHIVE_KEYRING" ]; then
        opt="[signed-by=$DEBIAN_ARCHIVE_KEYRING]"
    elif [ "$signed" = signed ]; then
        die "$DEBIAN_ARCHIVE_KEYRING not found (install debian-archive-keyring)"
    fi
    echo "deb $opt $mirror $suite main" >"$dir/sources.list"
    : >"$dir/status"
    : >"$dir/preferences"
}

# apt_private_opts DIR ARCH [ARCHES]: sets the array APT_O to the apt options that use the
# private configuration in DIR, with native architecture ARCH and the architectures ARCHES
# (space separated; default ARCH). Only the Packages indices are fetched: no translations,
# Contents or DEP-11 (AppStream) data.
apt_private_opts() {
    local dir="$1" arches="${3:-$2}"
    APT_O=(
        -o "Dir::Etc::SourceList=$dir/sources.list"
        -o "Dir::Etc::SourceParts=$dir/empty"
        -o "Dir::Etc::Preferences=$dir/preferences"
        -o "Dir::Etc::PreferencesParts=$dir/empty"
        -o "Dir::State::Lists=$dir/lists"
        -o "Dir::State::status=$dir/status"
        -o "Dir::State::extended_states=$dir/extended_states"
        -o "Dir::Cache=$dir/cache"
        -o "APT::Architecture=$2"
        -o "APT::Architectures=${arches// /,}"
        -o "Acquire::Languages=none"
        -o "Acquire::IndexTargets::deb::Contents-deb::DefaultEnabled=false"
        -o "Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false"
        -o "Acquire::IndexTargets::deb::DEP-11-icons::DefaultEnabled=false"
        -o "Acquire::IndexTargets::deb::DEP-11-icons-small::DefaultEnabled=false"
        -o "Acquire::IndexTargets::deb::DEP-11-icons-hidpi::DefaultEnabled=false"
        -o "Debug::NoLocking=1"
    )
    [ "$(id -u)" = 0 ] && APT_O+=(-o "APT::Sandbox::User=root")
    return 0
}
