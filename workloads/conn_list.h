/* Intrusive doubly linked list of connections. Every connection in one list
 * has the same timeout, so moving a connection to the tail whenever it makes
 * progress keeps the list ordered by deadline and the head is always the
 * next to expire: no timer heap is needed. */
#ifndef ZW_CONN_LIST_H
#define ZW_CONN_LIST_H
#include <stddef.h>

struct conn_link {
	struct conn_link *prev, *next;
};

/* A list is its own sentinel: empty when head.next == &head. */
struct conn_list {
	struct conn_link head;
};

static inline void conn_list_init(struct conn_list *l)
{
	l->head.prev = l->head.next = &l->head;
}

static inline int conn_list_empty(const struct conn_list *l)
{
	return l->head.next == &l->head;
}

static inline void conn_link_remove(struct conn_link *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->prev = n->next = n;
}

static inline void conn_list_push_tail(struct conn_list *l, struct conn_link *n)
{
	n->prev = l->head.prev;
	n->next = &l->head;
	l->head.prev->next = n;
	l->head.prev = n;
}

static inline void conn_list_move_tail(struct conn_list *l, struct conn_link *n)
{
	conn_link_remove(n);
	conn_list_push_tail(l, n);
}

#endif
