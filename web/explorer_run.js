// 6.html's run: its steps on the sliders, and while it trains, its progress (6_live.js, polled), its
// new steps and its end; the play button; the page's texts in the reader's language, again when the
// reader switches; and the start, once 6_run.js has given the run (explorerRun).
"use strict";

(function (X) {
  const S = X.state, $ = X.$, T = X.T;
  const SLIDERS = {main: "step", compare: "compare-step"}, LABELS = {main: "step-label", compare: "compare-label"};

  // The sliders show the steps the columns show (S.steps), over run.steps; a slider moved by the reader
  // sets its column's step.
  X.showSteps = function () {
    for (const column of ["main", "compare"]) {
      const slider = $(SLIDERS[column]), s = S.steps[column], steps = X.stepsOf(column);
      slider.max = Math.max(steps.length - 1, 0);
      slider.value = s ? Math.max(X.indexOf(s, column), 0) : 0;
      slider.disabled = steps.length === 0;
      $(LABELS[column]).textContent = s ? (S.run.compare ? X.modelOf(column) + " " : "") + T("step ", "ステップ ") +
        X.number(s.step) + T(", ", "、") + X.accuracyText(s, column) : T("waiting for the weights before training", "学習前の重みを待っています");
    }
    $("follow").hidden = S.following || !S.run.running;
    $("play").disabled = S.run.steps.length < 2;
  };

  X.time = function (seconds) {
    const m = Math.floor(seconds / 60), s = Math.round(seconds % 60);
    return m ? m + T(" min ", " 分 ") + s + T(" s", " 秒") : s + T(" s", " 秒");
  };

  // The run's summary, and the line over the sliders: how the run goes (training, the last word of 6_live.js), or that
  // another run now writes here (newer).
  X.showTraining = function () {
    $("run").textContent = X.summaryText();
    const line = $("training-text");
    $("training").hidden = !(S.newer || (S.training && S.watched));
    if (S.newer) {
      line.textContent = T("A newer training run is going on: open 6.html again to follow it (this page keeps its own run).",
                           "新しい学習が始まっています。そちらを見るには 6.html を開き直してください（このページは、開いたときの学習を表示し続けます）。");
      return;
    }
    if (!S.training) return;
    const data = S.training, step = X.number(data.step), steps = X.number(data.steps);
    $("progress").value = data.steps ? data.step / data.steps : 1;
    const at = new Date(data.updated * 1000).toLocaleTimeString(T("en-US", "ja-JP"));
    if (data.killed) {
      line.textContent = T("The run stopped at step " + step + " of " + steps + ": no word from it since " + at +
                           " (killed?). The page keeps what it has.",
                           "学習はステップ " + step + " / " + steps + " で止まりました。" + at +
                           " 以降、応答がありません。強制終了された可能性があります。ページは、それまでに届いた内容を表示したままにします。");
    } else if (data.stopped) {
      line.textContent = T("The run stopped at step " + step + " of " + steps + ", at " + at +
                           " (Ctrl-C or an error). The page keeps what it has.",
                           "学習はステップ " + step + " / " + steps + " で止まりました（時刻 " + at +
                           "。Ctrl-C またはエラーによるものです）。ページは、それまでに届いた内容を表示したままにします。");
    } else if (data.running) {
      const rate = data.rate ? data.rate.toFixed(1) : null;
      line.textContent = T(
        "Training now: step " + step + " of " + steps + (rate ? ", " + rate + " steps/s, " + X.time(data.left_s) + " left" : "") +
        ". The Training step column follows it: the snapshot steps as training passes them, and in between " +
        "the weights as they are now, at most half a minute old.",
        "学習中：ステップ " + step + " / " + steps + (rate ? "、毎秒 " + rate + " ステップ、残り " + X.time(data.left_s) : "") +
        "。「学習ステップ」の列はこの学習を追い、スナップショットのステップを過ぎるたびにその重みで、その間は" +
        "今の重み（最大 30 秒前のもの）で表示します。");
    } else {
      line.textContent = T("Training ended: " + steps + " steps.", "学習が終わりました（" + steps + " ステップ）。");
    }
  };

  // 6_live.js's word: the run's progress, its new steps, its end; or that another run now writes here.
  let ending = null; // the finished run's 6_run.js, asked for once the run has ended
  window.explorerLive = function (data) {
    if (data.run !== S.run.run) {
      if (data.running) X.hear(null, true);
      return;
    }
    // A running run writes 6_live.js every every_s seconds (2): five times that and more without a
    // word (a snapshot step's work included), it has stopped without saying so: killed.
    const quiet = Date.now() / 1000 - data.updated;
    X.hear(data.running && quiet > 5 * data.every_s + 5 ? Object.assign({}, data, {running: false, stopped: true, killed: true}) : data);
    if (S.run.running) {
      const entries = data.snapshots.slice();
      if (data.live) entries.push({step: data.live.step, file: data.live.file, live: true});
      const known = S.run.steps.map((s) => s.step + (s.live ? "l" : "")).join();
      if (entries.map((s) => s.step + (s.live ? "l" : "")).join() !== known) X.setRunSteps(entries);
    }
    // The run has ended (whatever the page guessed before: a long quiet step looks killed): the
    // finished run, as 6.py writes it, once.
    if (S.run.running && !data.running && !data.stopped && !ending) {
      ending = X.script("6_run.js?ended").catch(() => { ending = null; }); // (not there yet: at the next poll)
    }
  };

  X.poll = function () {
    const running = !S.training || S.training.running;
    X.script("6_live.js?" + Date.now()).catch(() => {}).then(() => setTimeout(X.poll, running ? 1000 : 5000));
  };

  // The play button: the Training step column through every step it holds, one a second.
  let timer = null;
  X.play = function () {
    if (S.playing) {
      clearInterval(timer);
      return X.setPlaying(false);
    }
    let index = X.indexOf(S.steps.main) >= S.run.steps.length - 1 ? 0 : X.indexOf(S.steps.main);
    X.setPlaying(true);
    X.setStep("main", S.run.steps[index].step);
    timer = setInterval(() => {
      if (++index >= S.run.steps.length) return X.play(); // the end: stops
      X.setStep("main", S.run.steps[index].step);
    }, 1000);
  };

  X.showPlay = function () {
    $("play").textContent = S.playing ? T("Pause", "一時停止") : T("Play", "再生");
    $("play").title = T("the snapshot steps one after the other, one a second", "スナップショットのステップを 1 秒に 1 つずつ順に表示");
  };

  // --- the page's texts, in the reader's language (again when the reader switches) ---

  X.summaryText = () => T(S.run.summary[0], S.run.summary[1]); // 6_run.js's summary: [English, Japanese]

  X.showTexts = function () {
    for (const e of document.querySelectorAll("[data-field]")) { // what a place of a layer sees: its receptive field
      const field = X.layer(e.dataset.field)[3];
      e.textContent = field + "x" + field;
    }
    $("draw").title = X.mnist() ? T("draw a digit here, or drop a photo of one", "ここに数字を描いてください（数字の写真をドロップすることもできます）")
      : T("draw here, or drop a picture", "ここに描いてください（画像をドロップすることもできます）");
    $("photo").parentElement.title = X.mnist() ? T("a photo of a digit: or drop it on the pad", "数字の写真を選ぶ（パッドにドロップすることもできます）")
      : T("a picture: or drop it on the pad", "画像を選ぶ（パッドにドロップすることもできます）");
    $("channel-close").title = T("close", "閉じる");
    if (!X.mnist()) X.showDataTexts();
    for (const canvas of $("digits").children) {
      canvas.title = X.mnist() ? T("a ", "数字 ") + canvas.dataset.label : X.className(Number(canvas.dataset.label));
    }
    X.render();
  };

  // Another data set than MNIST (--data): the pad's texts say how its drawing is made an input.
  X.showDataTexts = function () {
    const how = X.readerImage();
    $("sees").textContent = how.steps === "picture"
      ? T("The drawing is made the network's input as the data set's pictures were made: the pad made 28x28 gray.",
          "描いたものは、データセットの画像と同じように、パッドを 28x28 の濃淡画像にしてネットワークの入力にします。")
      : T("The drawing is made the network's input as the data set's images were made: the longer side of the ink's box " +
          "made " + how.box + " pixels, centred by its " + (how.by_mass ? "centre of mass" : "box") + ".",
          "描いたものは、データセットの画像と同じ作り方でネットワークの入力にします。インクを囲む枠の長いほうの辺が " + how.box +
          " ピクセルになるように拡大・縮小し、" + (how.by_mass ? "重心" : "枠の中心") + "を中央に置きます。");
    $("draw-hint").textContent = T("Draw one of its classes with the mouse, a pen or a finger.",
                                   "マウス、ペン、指で、どれか 1 つのクラスを描いてください。");
    $("digits-hint").textContent = T("or one of the first 10 test images (5.py's)", "または、テスト画像の最初の 10 枚（5.py と同じ）から 1 つ選んでください");
    for (const word of document.querySelectorAll(".w-digit")) { // "digit" in the texts: a class of the data set
      word.textContent = word.closest("[lang]").lang === "ja" ? "クラス" : "class";
    }
  };

  // --- start ---

  window.explorerRun = function (run) {
    if (S.run) return X.setRun(run); // the run has ended: the finished run
    X.setRun(run);
    for (const column of ["main", "compare"]) {
      $(SLIDERS[column]).addEventListener("input", () => X.setStep(column, X.stepsOf(column)[Number($(SLIDERS[column]).value)].step));
    }
    $("follow").addEventListener("click", () => X.follow());
    $("play").addEventListener("click", X.play);
    $("channel-close").addEventListener("click", () => X.select(null));
    X.buildTable();
    X.setupPad();
    X.setupPhoto();
    X.setupMistakes();
    X.buildFool();
    const box = $("digits");
    S.run.digits.forEach((digit, k) => { // (the first 10 test images: k is its index)
      const pixels = Array.from(network.bytes(digit.pixels), (v) => v / 255);
      const canvas = document.createElement("canvas");
      X.paint(canvas, pixels.map((v) => Math.round(255 * v)), 28, 28);
      canvas.dataset.label = digit.label;
      canvas.addEventListener("click", () => X.startFrom(pixels, "test", k));
      box.appendChild(canvas);
    });
    X.showTexts();
    document.addEventListener("langchange", X.showTexts);
    X.startFrom(Array.from(network.bytes(S.run.digits[0].pixels), (v) => v / 255), "test", 0);
    if (S.run.steps.length) {
      const final = S.run.steps[S.run.steps.length - 1].step, first = X.stepsOf("compare")[0].step;
      Promise.all([X.load(final), X.load(first, "compare")]).then(() => {
        X.render();
        // The other steps, one after another, so that the sliders answer at once later.
        const all = S.run.steps.map((s) => [s.step, "main"]).concat(S.run.compare ? S.run.compare.steps.map((s) => [s.step, "compare"]) : []);
        all.reduce((chain, [step, column]) => chain.then(() => X.load(step, column)), Promise.resolve());
      });
    }
    X.poll();
    networkSimd.ready.then((ok) => { if (ok && S.engine === "wasm") X.setEngine("wasm"); }); // the columns again, in SIMD
  };
})(window.Explorer);
