/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file
 * The control socket: a unix stream socket only its owner can use.  A
 * client writes one command line ("stats\n"), reads one JSON object, and
 * the server closes the connection.
 */
#ifndef RACKBOOT_CTLSOCK_H
#define RACKBOOT_CTLSOCK_H

#include <stddef.h>

#include <jansson.h>

/**
 * Answer one command.
 *
 * @param ctx  the context given to rb_ctl_serve()
 * @param cmd  the command word and its arguments
 * @return a JSON object to send (the caller frees it)
 */
typedef json_t *(*rb_ctl_handler_t)(void *ctx, const char *cmd);

/**
 * Create the socket at @p path, mode 0600, its directory 0700 when it has
 * to be made.  A stale socket left by a dead rackbootd is replaced; a live
 * one is an error.
 *
 * @return the listening fd, or -1 with @p err set
 */
int rb_ctl_listen(const char *path, char *err, size_t errlen);

/**
 * Accept and answer one connection.  Peers running as another user (root
 * excepted) are refused even if the file mode was loosened.
 *
 * @param lfd  the listening socket
 * @param h    the command handler
 * @param ctx  passed to @p h
 */
void rb_ctl_serve(int lfd, rb_ctl_handler_t h, void *ctx);

/** Close the socket and remove its file. */
void rb_ctl_close(int lfd, const char *path);

#endif
