"""train()'s callbacks, as Keras' callbacks plug into fit(callbacks=[...]): objects with a method for
each of train()'s moments, which train() calls on each in turn. What a run keeps besides the article's
loop (model/'s checkpoints, the TensorBoard log, the live page, the progress bar) is a Callback each;
keep.default_callbacks makes the list a run has when train() is given none."""


class Callback:
    """Nothing at each of train()'s moments: a callback overrides those at which it does something.

    logs are dicts, as Keras' are: on_train_begin's {run, steps, started, seed}; on_snapshot_end's
    {test_accuracy, test_digits, answers, outputs}; on_train_accuracy's {train_accuracy, batch}; on_train_end's
    the run's facts, which run.json keeps (keep.RUN_FACTS).
    """

    def on_train_begin(self, logs):
        """Before the first step, the weights before training there."""

    def on_snapshot_begin(self, step):
        """At a snapshot step (snapshot_steps; the last one after training), before its test accuracy."""

    def on_snapshot_end(self, step, logs):
        """At a snapshot step, its test accuracy measured on the first test_digits test digits, and the
        answers to them (cnn.test_answers); outputs:
        what train()'s snapshot returned for it (or None)."""

    def on_train_accuracy(self, step, logs):
        """Every 100 steps, the article's line: the training accuracy on that step's batch."""

    def on_step_end(self, step):
        """After each training step: step steps done."""

    def on_train_end(self, logs):
        """The run complete, logs its facts; returns what this callback adds to them (a dict), or None."""

    def on_train_stopped(self):
        """The run stopped before its end (Ctrl-C, an error), perhaps before this callback's on_train_begin."""


class CallbackList(Callback):
    """Callbacks called in turn at each moment; as a context, each told on_train_stopped if the run
    stops before its end. on_train_end returns what they all add, each's own (two adding one fact: an error)."""

    def __init__(self, callbacks):
        self.callbacks = list(callbacks)

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if kind:
            for callback in self.callbacks:
                callback.on_train_stopped()

    def on_train_begin(self, logs):
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_snapshot_begin(self, step):
        for callback in self.callbacks:
            callback.on_snapshot_begin(step)

    def on_snapshot_end(self, step, logs):
        for callback in self.callbacks:
            callback.on_snapshot_end(step, logs)

    def on_train_accuracy(self, step, logs):
        for callback in self.callbacks:
            callback.on_train_accuracy(step, logs)

    def on_step_end(self, step):
        for callback in self.callbacks:
            callback.on_step_end(step)

    def on_train_end(self, logs):
        added = {}
        for callback in self.callbacks:
            own = callback.on_train_end(dict(logs)) or {}  # a copy: what one callback does to it, the next never sees
            twice = (set(own) & set(added)) | (set(own) & set(logs))
            if twice:
                raise ValueError("%s adds %s, which the run's facts already have" % (type(callback).__name__, ", ".join(sorted(twice))))
            added.update(own)
        return added
