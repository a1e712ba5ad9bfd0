/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sshd-watchdog: ends ssh sessions whose client input has been silent longer
 * than InputTimeoutSec, and kills what they leave behind. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_file.h"
#include "daemon.h"
#include "log.h"
#include "macro.h"

static void help(void) {
        printf("Usage: sshd-watchdog [OPTIONS]\n\n"
               "Ends ssh sessions whose client input has been silent too long.\n\n"
               "  --config FILE    configuration file (default: " CONFIG_FILE_DEFAULT ")\n"
               "                   drop-ins: FILE.d/*.conf, in lexical order\n"
               "  --state-dir DIR  where pam_sshd_watchdog records sessions (default: " SESSION_STATE_DIR_DEFAULT ")\n"
               "  --transient-scopes=auto|yes|no\n"
               "                   give sessions registered by sshd-watchdog-exec a systemd scope of\n"
               "                   their own (auto: when systemd runs the host)\n"
               "  --check-config   validate the configuration, print the effective settings, exit\n"
               "  --debug          log debug messages too\n"
               "  --version        print the version and exit\n"
               "  --help           print this help and exit\n");
}

static int check_config(const DaemonOptions *o) {
        _cleanup_free_ char *error = NULL;
        Config cfg;

        if (config_load(o->config_path, o->config_must_exist, &cfg, &error) < 0) {
                fprintf(stderr, "%s\n", error ?: "cannot load the configuration");
                return EXIT_FAILURE;
        }
        config_print(&cfg, stdout);
        config_done(&cfg);
        return EXIT_SUCCESS;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "state-dir", required_argument, NULL, 's' },
                { "check-config", no_argument, NULL, 't' },
                { "transient-scopes", required_argument, NULL, 'S' },
                { "debug", no_argument, NULL, 'd' },
                { "version", no_argument, NULL, 'V' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        DaemonOptions o = {
                .config_path = CONFIG_FILE_DEFAULT,
                .state_dir = SESSION_STATE_DIR_DEFAULT,
                .scopes = -1,
        };
        bool check_only = false;
        Daemon *d = NULL;
        int c, r;

        while ((c = getopt_long(argc, argv, "", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        o.config_path = optarg;
                        o.config_must_exist = true;
                        break;
                case 's':
                        if (optarg[0] != '/') {
                                fprintf(stderr, "sshd-watchdog: --state-dir must be an absolute path\n");
                                return EXIT_FAILURE;
                        }
                        o.state_dir = optarg;
                        break;
                case 't':
                        check_only = true;
                        break;
                case 'S':
                        if (strcmp(optarg, "auto") == 0)
                                o.scopes = -1;
                        else if (strcmp(optarg, "yes") == 0)
                                o.scopes = 1;
                        else if (strcmp(optarg, "no") == 0)
                                o.scopes = 0;
                        else {
                                fprintf(stderr, "sshd-watchdog: --transient-scopes= takes auto, yes or no\n");
                                return EXIT_FAILURE;
                        }
                        break;
                case 'd':
                        log_set_max_level(LOG_DEBUG);
                        break;
                case 'V':
                        printf("sshd-watchdog " PACKAGE_VERSION "\n");
                        return EXIT_SUCCESS;
                case 'h':
                        help();
                        return EXIT_SUCCESS;
                default:
                        return EXIT_FAILURE;
                }
        if (optind < argc) {
                fprintf(stderr, "sshd-watchdog: unexpected argument '%s'\n", argv[optind]);
                return EXIT_FAILURE;
        }
        if (check_only)
                return check_config(&o);

        r = daemon_new(&o, &d);
        if (r < 0)
                return EXIT_FAILURE;
        r = daemon_start(d);
        if (r >= 0)
                r = daemon_run(d);
        daemon_free(d);
        return r != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
