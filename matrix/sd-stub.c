// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Linked into the static fdtest only. libpcap pulls in libdbus, whose
 * socket activation calls into libsystemd, of which Debian ships no
 * static archive. fdtest never listens on D-Bus, so these only ever say
 * what libsystemd says with no sockets passed.
 */
int sd_listen_fds(int unset_environment);
int sd_is_socket(int fd, int family, int type, int listening);

int sd_listen_fds(int unset_environment)
{
	(void)unset_environment;
	return 0;
}

int sd_is_socket(int fd, int family, int type, int listening)
{
	(void)fd;
	(void)family;
	(void)type;
	(void)listening;
	return 0;
}
