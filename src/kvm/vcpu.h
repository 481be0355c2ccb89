/* A vCPU: its KVM fd and shared kvm_run page, its thread, and the state
 * machine (running, paused, stopped) that the main thread drives with a
 * kick: a request under the lock, kvm_run->immediate_exit, then a signal
 * that interrupts KVM_RUN. */
#ifndef VIREO_KVM_VCPU_H
#define VIREO_KVM_VCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct vm;
struct kvm_run;

enum vcpu_state {
	VCPU_CREATED,
	VCPU_RUNNING,
	VCPU_PAUSED,
	VCPU_STOPPED,
};

/* KVM exit reasons we count individually; larger ones land in the last. */
#define VCPU_EXIT_SLOTS 48

struct vcpu {
	struct vm *vm;
	unsigned index;
	int fd;
	struct kvm_run *run;
	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum vcpu_state state;		/* what the thread is doing */
	enum vcpu_state request;	/* what the main thread asked for */
	uint64_t exits[VCPU_EXIT_SLOTS];
	int tid;			/* the thread's TID once it runs; atomic */
	/* For the SIGQUIT dump (vcpu_dump), atomics: */
	bool in_run;		/* inside KVM_RUN */
	bool dump_request;	/* the thread dumps its registers next */
	unsigned last_exit;
};

/* The signal that kicks a vCPU out of KVM_RUN. */
#define VCPU_KICK_SIGNAL SIGUSR1

/* Installs the (empty) kick handler; once per process. */
int vcpu_init_signals(void);

int vcpu_create(struct vcpu *v, struct vm *vm, unsigned index);
void vcpu_destroy(struct vcpu *v);
int vcpu_start(struct vcpu *v);
/* Request a state; returns at once.  Wait with vcpu_wait_state(). */
void vcpu_request(struct vcpu *v, enum vcpu_state state);
void vcpu_wait_state(struct vcpu *v, enum vcpu_state state);
void vcpu_join(struct vcpu *v);
/* Debug dump (SIGQUIT): logs what the caller can see without an ioctl,
 * then kicks the thread, which logs its RIP and mp_state once out of
 * KVM_RUN.  Never waits for the vCPU thread. */
void vcpu_dump(struct vcpu *v);

/* Exit dispatch (exit.c): handles one exit; returns 0 to keep running or
 * 1 when the vCPU should stop (vm_request_stop() already called). */
int vcpu_handle_exit(struct vcpu *v);
const char *vcpu_exit_name(unsigned reason);

#endif
