/* vCPU threads: creation, the KVM_RUN loop and its state machine. */
#include "kvm/vcpu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kvm/dump.h"
#include "kvm/vm.h"
#include "util/log.h"

#define VCPU_STACK_SIZE (256 * 1024)

static void vcpu_kick_handler(int sig)
{
	(void)sig;	/* only there to interrupt KVM_RUN */
}

int vcpu_init_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = vcpu_kick_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: KVM_RUN must return EINTR */
	return sigaction(VCPU_KICK_SIGNAL, &sa, NULL) < 0 ? -errno : 0;
}

int vcpu_create(struct vcpu *v, struct vm *vm, unsigned index)
{
	void *run;
	int ret;

	memset(v, 0, sizeof(*v));
	v->vm = vm;
	v->index = index;
	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (v->fd < 0) {
		ret = -errno;
		log_error("cannot create vCPU %u: %s", index, strerror(errno));
		return ret;
	}
	run = mmap(NULL, vm->kvm->run_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED, v->fd, 0);
	if (run == MAP_FAILED) {
		ret = -errno;
		log_error("cannot map kvm_run of vCPU %u: %s", index,
			  strerror(errno));
		close(v->fd);
		v->fd = -1;
		return ret;
	}
	v->run = run;
	pthread_mutex_init(&v->lock, NULL);
	pthread_cond_init(&v->cond, NULL);
	v->state = v->request = VCPU_CREATED;
	return 0;
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->run)
		munmap(v->run, v->vm->kvm->run_size);
	if (v->fd >= 0)
		close(v->fd);
	pthread_cond_destroy(&v->cond);
	pthread_mutex_destroy(&v->lock);
	v->run = NULL;
	v->fd = -1;
}

static void vcpu_set_state(struct vcpu *v, enum vcpu_state state)
{
	v->state = state;
	pthread_cond_broadcast(&v->cond);
}

/* Called between KVM_RUNs: park while paused; false once stopped. */
static bool vcpu_should_run(struct vcpu *v)
{
	bool run;

	pthread_mutex_lock(&v->lock);
	while (v->request == VCPU_PAUSED) {
		if (v->state != VCPU_PAUSED)
			vcpu_set_state(v, VCPU_PAUSED);
		pthread_cond_wait(&v->cond, &v->lock);
	}
	run = v->request != VCPU_STOPPED;
	vcpu_set_state(v, run ? VCPU_RUNNING : VCPU_STOPPED);
	pthread_mutex_unlock(&v->lock);
	return run;
}

/* On the vCPU thread, out of KVM_RUN: the registers need no kick here. */
static void vcpu_dump_self(struct vcpu *v)
{
	struct kvm_regs regs;
	struct kvm_mp_state mp;
	char line[160];

	if (ioctl(v->fd, KVM_GET_REGS, &regs) < 0 ||
	    ioctl(v->fd, KVM_GET_MP_STATE, &mp) < 0) {
		log_warn("vCPU %u: cannot read its state: %s", v->index,
			 strerror(errno));
		return;
	}
	vcpu_format_regs(line, sizeof(line), v->index, regs.rip, regs.rsp,
			 regs.rflags, mp.mp_state);
	log_warn("%s", line);
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	sigset_t set;

	__atomic_store_n(&v->tid, (int)gettid(), __ATOMIC_RELAXED);
	sigemptyset(&set);
	sigaddset(&set, VCPU_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	while (vcpu_should_run(v)) {
		int err;

		__atomic_store_n(&v->in_run, true, __ATOMIC_SEQ_CST);
		err = ioctl(v->fd, KVM_RUN, 0) < 0 ? errno : 0;
		__atomic_store_n(&v->in_run, false, __ATOMIC_SEQ_CST);
		if (__atomic_exchange_n(&v->dump_request, false,
					__ATOMIC_SEQ_CST))
			vcpu_dump_self(v);
		/* Queued writes first: the exit may read what they set. */
		coalesced_flush(&v->vm->coalesced);
		if (err) {
			/* A kick: immediate_exit has done its job. */
			v->run->immediate_exit = 0;
			if (err == EINTR || err == EAGAIN) {
				v->exits[KVM_EXIT_INTR]++;
				continue;
			}
			log_error("vCPU %u: KVM_RUN failed: %s", v->index,
				  strerror(err));
			vm_request_stop(v->vm, VM_STOP_ERROR);
			continue;
		}
		__atomic_store_n(&v->last_exit, v->run->exit_reason,
				 __ATOMIC_RELAXED);
		v->exits[v->run->exit_reason < VCPU_EXIT_SLOTS ?
				 v->run->exit_reason : VCPU_EXIT_SLOTS - 1]++;
		if (vcpu_handle_exit(v))
			vcpu_request(v, VCPU_STOPPED);
	}
	return NULL;
}

int vcpu_start(struct vcpu *v)
{
	pthread_attr_t attr;
	char name[16];
	int ret;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, VCPU_STACK_SIZE);
	/* Under the lock until thread_started is set: the thread waits for
	 * it before its first KVM_RUN, so no request can miss its kick. */
	pthread_mutex_lock(&v->lock);
	if (v->request == VCPU_CREATED)
		v->request = VCPU_RUNNING;
	ret = pthread_create(&v->thread, &attr, vcpu_thread, v);
	v->thread_started = ret == 0;
	pthread_mutex_unlock(&v->lock);
	pthread_attr_destroy(&attr);
	if (ret) {
		log_error("cannot start vCPU %u thread: %s", v->index,
			  strerror(ret));
		return -ret;
	}
	snprintf(name, sizeof(name), "vcpu%u", v->index);
	pthread_setname_np(v->thread, name);
	return 0;
}

void vcpu_request(struct vcpu *v, enum vcpu_state state)
{
	pthread_mutex_lock(&v->lock);
	/* Stopped is final. */
	if (v->request != VCPU_STOPPED)
		v->request = state;
	pthread_cond_broadcast(&v->cond);
	/* Order matters: the request is visible before immediate_exit, and
	 * the thread clears immediate_exit before it reads the request.
	 * The kick stays under the lock, so the thread cannot be joined
	 * (vcpu_join) between the check and the signal. */
	if (state != VCPU_RUNNING && v->thread_started) {
		__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		if (!pthread_equal(v->thread, pthread_self()))
			pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	}
	pthread_mutex_unlock(&v->lock);
}

void vcpu_wait_state(struct vcpu *v, enum vcpu_state state)
{
	pthread_mutex_lock(&v->lock);
	while (v->thread_started && v->state != state &&
	       v->state != VCPU_STOPPED)
		pthread_cond_wait(&v->cond, &v->lock);
	pthread_mutex_unlock(&v->lock);
}

void vcpu_join(struct vcpu *v)
{
	pthread_t t;

	pthread_mutex_lock(&v->lock);
	if (!v->thread_started) {
		pthread_mutex_unlock(&v->lock);
		return;
	}
	/* No kick may target the thread once it could be gone. */
	v->thread_started = false;
	t = v->thread;
	pthread_mutex_unlock(&v->lock);
	pthread_join(t, NULL);
}

void vcpu_dump(struct vcpu *v)
{
	struct vcpu_dump_info d = {
		.index = v->index,
		.exits = v->exits,	/* racy reads: counts, for a human */
		.nexits = VCPU_EXIT_SLOTS,
	};
	char line[512];

	pthread_mutex_lock(&v->lock);
	d.state = (int)v->state;
	d.request = (int)v->request;
	d.in_run = __atomic_load_n(&v->in_run, __ATOMIC_SEQ_CST);
	d.last_exit = __atomic_load_n(&v->last_exit, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&v->lock);
	vcpu_format_state(line, sizeof(line), &d);
	log_warn("%s", line);
	/* Then a bare signal, no immediate_exit: KVM_RUN returns EINTR and
	 * the thread runs on after logging its registers.  A thread that
	 * never logs them did not come out of KVM_RUN. */
	pthread_mutex_lock(&v->lock);
	if (v->thread_started && !pthread_equal(v->thread, pthread_self())) {
		__atomic_store_n(&v->dump_request, true, __ATOMIC_SEQ_CST);
		pthread_kill(v->thread, VCPU_KICK_SIGNAL);
	}
	pthread_mutex_unlock(&v->lock);
}
