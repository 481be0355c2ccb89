/* The subset of libvirt's RPC protocol that Vireo speaks: program and
 * procedure numbers, message types, limits and the error codes/domains
 * carried in replies.  The numbers are libvirt's wire ABI (see libvirt's
 * remote_protocol.x, virnetprotocol.x and virerror.h); the names here are
 * Vireo's own. */
#ifndef VIREO_RPC_PROTO_H
#define VIREO_RPC_PROTO_H

#include <stdint.h>

/* Programs. */
#define RPC_PROG_REMOTE 0x20008086u
#define RPC_PROG_REMOTE_VERS 1u
#define RPC_PROG_KEEPALIVE 0x6b656570u
#define RPC_PROG_KEEPALIVE_VERS 1u

/* Limits.  RPC_MSG_MAX counts the header and payload, not the 4-byte
 * length word in front of them. */
#define RPC_LEN_SIZE 4u
#define RPC_HEADER_SIZE 24u
#define RPC_MSG_MAX (32u * 1024 * 1024)
#define RPC_MSG_INITIAL 65536u
#define RPC_STRING_MAX (1024u * 1024)  /* remote_nonnull_string */
#define RPC_DOMAIN_LIST_MAX 16384u
#define RPC_UUID_LEN 16

enum rpc_type {
	RPC_CALL = 0,
	RPC_REPLY = 1,
	RPC_MESSAGE = 2,
	RPC_STREAM = 3,
	RPC_CALL_WITH_FDS = 4,
	RPC_REPLY_WITH_FDS = 5,
};

enum rpc_status {
	RPC_OK = 0,
	RPC_ERROR = 1,
	RPC_CONTINUE = 2,
};

enum keepalive_proc {
	KEEPALIVE_PING = 1,
	KEEPALIVE_PONG = 2,
};

/* Procedures of the REMOTE program that Vireo serves or names. */
enum remote_proc {
	PROC_CONNECT_OPEN = 1,
	PROC_CONNECT_CLOSE = 2,
	PROC_CONNECT_GET_TYPE = 3,
	PROC_CONNECT_GET_VERSION = 4,
	PROC_CONNECT_GET_MAX_VCPUS = 5,
	PROC_NODE_GET_INFO = 6,
	PROC_CONNECT_GET_CAPABILITIES = 7,
	PROC_DOMAIN_CREATE = 9,
	PROC_DOMAIN_CREATE_XML = 10,
	PROC_DOMAIN_DEFINE_XML = 11,
	PROC_DOMAIN_DESTROY = 12,
	PROC_DOMAIN_GET_XML_DESC = 14,
	PROC_DOMAIN_GET_AUTOSTART = 15,
	PROC_DOMAIN_GET_INFO = 16,
	PROC_DOMAIN_GET_MAX_MEMORY = 17,
	PROC_DOMAIN_GET_OS_TYPE = 19,
	PROC_DOMAIN_LOOKUP_BY_ID = 22,
	PROC_DOMAIN_LOOKUP_BY_NAME = 23,
	PROC_DOMAIN_LOOKUP_BY_UUID = 24,
	PROC_CONNECT_NUM_OF_DEFINED_DOMAINS = 25,
	PROC_DOMAIN_SET_AUTOSTART = 29,
	PROC_DOMAIN_UNDEFINE = 35,
	PROC_CONNECT_NUM_OF_DOMAINS = 51,
	PROC_CONNECT_GET_HOSTNAME = 59,
	PROC_CONNECT_SUPPORTS_FEATURE = 60,
	PROC_AUTH_LIST = 66,
	PROC_CONNECT_GET_URI = 110,
	PROC_NODE_GET_SECURITY_MODEL = 122,
	PROC_CONNECT_IS_SECURE = 149,
	PROC_DOMAIN_IS_ACTIVE = 150,
	PROC_DOMAIN_IS_PERSISTENT = 151,
	PROC_CONNECT_GET_LIB_VERSION = 157,
	PROC_DOMAIN_HAS_MANAGED_SAVE_IMAGE = 183,
	PROC_DOMAIN_GET_STATE = 212,
	PROC_DOMAIN_UNDEFINE_FLAGS = 231,
	PROC_CONNECT_LIST_ALL_DOMAINS = 273,
	PROC_CONNECT_GET_DOMAIN_CAPABILITIES = 342,
	PROC_DOMAIN_DEFINE_XML_FLAGS = 350,
	PROC_CONNECT_DOMAIN_EVENT_CALLBACK_REGISTER_ANY = 316,
	PROC_CONNECT_DOMAIN_EVENT_CALLBACK_DEREGISTER_ANY = 317,
	PROC_DOMAIN_EVENT_CALLBACK_LIFECYCLE = 318,
	PROC_CONNECT_REGISTER_CLOSE_CALLBACK = 360,
	PROC_CONNECT_UNREGISTER_CLOSE_CALLBACK = 361,
};

/* Auth types (remote_auth_type). */
#define RPC_AUTH_NONE 0

/* Driver features a client probes with CONNECT_SUPPORTS_FEATURE. */
enum rpc_feature {
	FEATURE_PROGRAM_KEEPALIVE = 10,
	FEATURE_REMOTE_EVENT_CALLBACK = 14,
	FEATURE_REMOTE_CLOSE_CALLBACK = 15,
};

/* virErrorNumber values used in replies. */
enum rpc_err_code {
	ERR_INTERNAL_ERROR = 1,
	ERR_NO_SUPPORT = 3,
	ERR_INVALID_ARG = 8,
	ERR_OPERATION_FAILED = 9,
	ERR_XML_ERROR = 27,
	ERR_DOM_EXIST = 28,
	ERR_SYSTEM_ERROR = 38,
	ERR_RPC = 39,
	ERR_NO_DOMAIN = 42,
	ERR_OPERATION_INVALID = 55,
	ERR_ACCESS_DENIED = 88,
};

/* virErrorDomain values. */
enum rpc_err_domain {
	ERRDOM_NONE = 0,
	ERRDOM_RPC = 7,
	ERRDOM_REMOTE = 13,
	ERRDOM_DOMAIN = 20,
	ERRDOM_ACCESS = 55,
};

#define RPC_ERR_LEVEL_ERROR 2

/* Domain events: the ids a client registers for (virsh event --all asks
 * for every one up to its own VIR_DOMAIN_EVENT_ID_LAST) and the lifecycle
 * events and details Vireo sends. */
#define EVENT_ID_LIFECYCLE 0
#define EVENT_ID_MAX 64
enum dom_event {
	EVENT_DEFINED = 0,
	EVENT_UNDEFINED = 1,
	EVENT_STARTED = 2,
	EVENT_SUSPENDED = 3,
	EVENT_RESUMED = 4,
	EVENT_STOPPED = 5,
};
#define EVENT_DEFINED_ADDED 0
#define EVENT_DEFINED_UPDATED 1
#define EVENT_UNDEFINED_REMOVED 0

/* virDomainState and the list flags of CONNECT_LIST_ALL_DOMAINS. */
enum dom_state {
	DOM_NOSTATE = 0,
	DOM_RUNNING = 1,
	DOM_BLOCKED = 2,
	DOM_PAUSED = 3,
	DOM_SHUTDOWN = 4,
	DOM_SHUTOFF = 5,
	DOM_CRASHED = 6,
	DOM_PMSUSPENDED = 7,
};

#define LIST_ACTIVE (1u << 0)
#define LIST_INACTIVE (1u << 1)
#define LIST_PERSISTENT (1u << 2)
#define LIST_TRANSIENT (1u << 3)
#define LIST_RUNNING (1u << 4)
#define LIST_PAUSED (1u << 5)
#define LIST_SHUTOFF (1u << 6)
#define LIST_OTHER (1u << 7)
#define LIST_MANAGEDSAVE (1u << 8)
#define LIST_NO_MANAGEDSAVE (1u << 9)
#define LIST_AUTOSTART (1u << 10)
#define LIST_NO_AUTOSTART (1u << 11)
#define LIST_HAS_SNAPSHOT (1u << 12)
#define LIST_NO_SNAPSHOT (1u << 13)
#define LIST_HAS_CHECKPOINT (1u << 14)
#define LIST_NO_CHECKPOINT (1u << 15)

#endif
