"""What a training run keeps besides the article's loop, plugged into cnn.train() as Keras' callbacks
plug into fit(): model/'s checkpoints, the TensorBoard log, the live page, the progress bar. Each has
the same few methods, which train() calls at its moments; Callbacks calls them on each in turn."""


class Callback:
    """Nothing at each of train()'s moments: a callback overrides those at which it keeps something."""

    def start(self):
        """Before the first step, the weights before training there."""

    def snapshot(self, step, test_accuracy, test_digits, outputs):
        """At a snapshot step (before it; the last one after training), its test accuracy measured on
        the first test_digits test digits; outputs: what train()'s snapshot returned (or None)."""

    def line(self, step, batch, train_accuracy):
        """At the article's step line, every 100 steps, with that step's batch."""

    def tick(self, step):
        """After each training step: step steps done."""

    def end(self, facts):
        """The run complete: facts (run.json's: the steps, the test accuracy, ...) completed by those before."""

    def stopped(self):
        """The run stopped before its end: Ctrl-C, an error."""


class Callbacks:
    """train()'s callbacks (None: left out), called in turn; as a context, started on entry and told on
    exit if the run stopped before its end."""

    def __init__(self, callbacks):
        self.callbacks = [callback for callback in callbacks if callback]

    def __enter__(self):
        for callback in self.callbacks:
            callback.start()
        return self

    def __exit__(self, kind, error, traceback):
        if kind:
            for callback in self.callbacks:
                callback.stopped()

    def snapshot(self, step, test_accuracy, test_digits, outputs):
        for callback in self.callbacks:
            callback.snapshot(step, test_accuracy, test_digits, outputs)

    def line(self, step, batch, train_accuracy):
        for callback in self.callbacks:
            callback.line(step, batch, train_accuracy)

    def tick(self, step):
        for callback in self.callbacks:
            callback.tick(step)

    def end(self, facts):
        for callback in self.callbacks:
            callback.end(facts)
