/* lwIP configuration for the unikernel (and for the host unit tests, which
 * compile the same lwIP with the same options).
 *
 * NO_SYS=1 and the raw API only: the stack runs in the one app context,
 * driven by the idle-loop poller (net/netpoll.c); interrupt handlers never
 * touch it, so no locking is needed.
 *
 * Memory budget (static, sized for >= 1000 concurrent TCP connections in a
 * 16 MiB guest; net_init() prints the total at boot, 1817 KiB):
 *   TCP PCBs      MEMP_NUM_TCP_PCB 1100 x 224 B         241 KiB
 *   TCP segments  MEMP_NUM_TCP_SEG 2048 x 32 B           64 KiB
 *   RX pbuf pool  PBUF_POOL_SIZE 320 x 1552 B           485 KiB
 *                 (up to 128 of them posted to the virtio RX ring)
 *   lwIP heap     MEM_SIZE (TX data awaiting ACK,      1024 KiB
 *                 small RX frames copied out of the pool)
 *   other pools   listen PCBs, ARP queue, pbuf headers       3 KiB
 * Outside lwIP, kmalloc'ed per connection: socket 160 B, epoll item 88 B,
 * struct file 40 B. 1000 idle keep-alive connections thus hold about
 * 0.5 MiB; the heap and the pool bound the data in flight, and when they
 * run dry lwIP drops and TCP retransmits. With 16 MiB of RAM the kernel
 * reports about 12 MiB free for the app once the stack is up. */
#ifndef UK_LWIPOPTS_H
#define UK_LWIPOPTS_H

#define NO_SYS                      1
#define SYS_LIGHTWEIGHT_PROT        0
#define LWIP_SOCKET                 0
#define LWIP_NETCONN                0
#define LWIP_ALTCP                  0

/* Our own timer wheel (net/timers.c) so that an idle stack arms nothing:
 * lwIP's built-in one runs the ARP timer every second forever. */
#define LWIP_TIMERS                 1
#define LWIP_TIMERS_CUSTOM          1

#define LWIP_IPV4                   1
#define LWIP_IPV6                   0
#define LWIP_ARP                    1
#define ARP_TABLE_SIZE              16
#define ARP_QUEUEING                1
#define MEMP_NUM_ARP_QUEUE          64
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define LWIP_ETHERNET               1
#define LWIP_ICMP                   1
#define LWIP_RAW                    0
#define LWIP_UDP                    0
#define LWIP_DHCP                   0
#define LWIP_AUTOIP                 0
#define LWIP_IGMP                   0
#define LWIP_DNS                    0
/* The lab's links are plain Ethernet with MTU 1500 and TCP never sends
 * more than an MSS: fragments are neither made nor reassembled. */
#define IP_REASSEMBLY               0
#define IP_FRAG                     0
#define IP_DEFAULT_TTL              64

/* 127.0.0.1 inside the guest. */
#define LWIP_NETIF_LOOPBACK         1
#define LWIP_HAVE_LOOPIF            1
#define LWIP_LOOPBACK_MAX_PBUFS     64
#define LWIP_SINGLE_NETIF           0
#define LWIP_NETIF_HOSTNAME         0
#define LWIP_NETIF_STATUS_CALLBACK  0
#define LWIP_NETIF_LINK_CALLBACK    0

/* Memory: lwIP's own heap and pools, all static, so the budget is fixed
 * at build time and visible in the image's .bss. */
#define MEM_LIBC_MALLOC             0
#define MEMP_MEM_MALLOC             0
#define MEM_ALIGNMENT               8
#define MEM_SIZE                    (1024 * 1024)
#define MEMP_NUM_TCP_PCB            1100
#define MEMP_NUM_TCP_PCB_LISTEN     16
#define MEMP_NUM_TCP_SEG            2048
#define MEMP_NUM_PBUF               64
#define PBUF_POOL_SIZE              320
/* Room for the virtio-net header in front of every frame, so RX pool pbufs
 * are handed to the device whole and TX headers can be prepended. */
#define PBUF_LINK_ENCAPSULATION_HLEN 12

#define LWIP_TCP                    1
#define TCP_MSS                     1460
#define TCP_WND                     (8 * TCP_MSS)
#define TCP_SND_BUF                 (8 * TCP_MSS)
#define TCP_SND_QUEUELEN            ((4 * TCP_SND_BUF + TCP_MSS - 1) / TCP_MSS)
#define TCP_QUEUE_OOSEQ             1
#define TCP_OOSEQ_MAX_PBUFS         4
#define TCP_LISTEN_BACKLOG          1
#define TCP_DEFAULT_LISTEN_BACKLOG  0xff
#define LWIP_TCP_KEEPALIVE          1
#define LWIP_TCP_TIMESTAMPS         0
#define LWIP_WND_SCALE              0
#define TCP_TTL                     64
/* TIME_WAIT lasts 2*MSL: 60 s as on Linux (lwIP's default is 120 s). */
#define TCP_MSL                     30000UL
#define SO_REUSE                    1
#define LWIP_CALLBACK_API           1
#define LWIP_EVENT_API              0
#define LWIP_CHECKSUM_ON_COPY       1

/* Per-protocol counters, for one figure: frames the stack discarded
 * (net/netpoll.c adds them to kstats.rx_dropped). */
#define LWIP_STATS                  1
#define LWIP_STATS_DISPLAY          0
#define LINK_STATS                  1
#define ETHARP_STATS                1
#define IP_STATS                    1
#define ICMP_STATS                  1
#define TCP_STATS                   1
#define MEM_STATS                   0
#define MEMP_STATS                  0
#define SYS_STATS                   0
#define MIB2_STATS                  0
#define LWIP_PERF                   0
#define MEMP_OVERFLOW_CHECK         0
#define MEMP_SANITY_CHECK           0

#endif
