# SPDX-License-Identifier: LGPL-2.1-or-later
# The common start of a daemon scenario: every helper library, then a real
# sshd with pam_loginuid and our module, and sshd-watchdog with the given
# configuration, all in fresh namespaces that go away at exit.
#
#   . "$top_srcdir/tests/lib/scenario.sh"
#   scenario_start "[Watchdog]
#   InputTimeoutSec=3s" ["extra sshd_config lines"]
#
# @USER@ in the configuration stands for the test user, made during setup.

. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/netns.sh"
. "$top_srcdir/tests/lib/sshd.sh"
. "$top_srcdir/tests/lib/watchdog.sh"

scenario_start() {
        require_root
        require_cmd ip nft ssh ssh-keygen useradd ss
        make_workdir
        netns_pair_create
        test_user_create
        STATE="$WORK/state"
        sshd_start "session required pam_loginuid.so
session optional $PAM_MODULE statedir=$STATE" "${2:-}"
        watchdog_config "${1//@USER@/$TEST_USER}"
        watchdog_start
}
