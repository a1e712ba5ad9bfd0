# SPDX-License-Identifier: LGPL-2.1-or-later
# The common start of a daemon scenario: every helper library, then a real
# sshd with pam_loginuid and our module, and sshd-watchdog with the given
# configuration, all in fresh namespaces that go away at exit.
#
#   . "$top_srcdir/tests/lib/scenario.sh"
#   scenario_start "[Watchdog]
#   InputTimeoutSec=3s" ["extra sshd_config lines"]
#
# or, for scenarios that set things up between the steps:
#
#   scenario_setup                     workdir, namespaces, test user, STATE
#   scenario_exec_setup                (UsePAM no) the ForceCommand helper
#   scenario_sshd ["extra sshd_config lines"]
#   scenario_watchdog "CONF"
#
# SCENARIO_PAM, when set, replaces the PAM session lines; @MODULE@ and
# @STATE@ in it stand for the built module and the state directory.
# SSHD_WRAP (sshd.sh) and WATCHDOG_ENV (watchdog.sh) wrap the two starts.
# @USER@ in the configuration stands for the test user, made during setup.

. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/lib/sshd.sh"
. "$top_srcdir/tests/lib/watchdog.sh"
. "$top_srcdir/tests/lib/cgroup.sh"

# Built helpers; CI points this at a plain build when the daemon is a
# sanitizer one (sshd cannot load a sanitizer-built PAM module).
HELPERS=${HELPERS:-${top_builddir:-$top_srcdir}/tests/helpers}
EXEC_IN="$top_srcdir/tests/helpers/exec-in"

scenario_setup() {
        require_root
        require_cmd ip nft ssh ssh-keygen useradd ss
        make_workdir
        netns_pair_create
        test_user_create
        STATE="$WORK/state"
}

# For an sshd with UsePAM no and sshd-watchdog-exec: the helper ($EXEC_BIN)
# at $WORK/sshd-watchdog-exec for ForceCommand, and the test user
# unlocked, since UsePAM no refuses accounts whose password is locked
# ("!"), as useradd makes them.
scenario_exec_setup() {
        usermod -p '*' "$TEST_USER" || fail "cannot unlock $TEST_USER"
        install -m 0755 "$EXEC_BIN" "$WORK/sshd-watchdog-exec" || fail "cannot install $EXEC_BIN"
}

scenario_sshd() {
        local pam=${SCENARIO_PAM:-"session required pam_loginuid.so
session optional @MODULE@ statedir=@STATE@"}
        pam=${pam//@MODULE@/$PAM_MODULE}
        sshd_start "${pam//@STATE@/$STATE}" "${1:-}"
}

scenario_watchdog() {
        watchdog_config "${1//@USER@/$TEST_USER}"
        watchdog_start
}

scenario_start() {
        scenario_setup
        scenario_sshd "${2:-}"
        scenario_watchdog "$1"
}
