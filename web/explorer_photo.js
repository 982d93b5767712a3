// 6.html's photo: an image file chosen with the #photo button or dropped on the pad, decoded by the
// browser (upright as its EXIF orientation says), made the network's input with 5.py's steps
// (preprocessing.js), then shown on the pad to draw over, like a test digit. A file that can't be
// one gets a line on the page naming it, in the page's language; nothing else changes.
"use strict";

(function (X) {
  const S = X.state, $ = X.$, T = X.T;

  // The line under the pad: S.photoError, [English, Japanese], or none
  X.showPhotoError = function () {
    $("photo-error").hidden = !S.photoError;
    if (S.photoError) $("photo-error").textContent = T(...S.photoError);
  };

  const refuse = (name, en, ja) => X.setPhotoError([name + ": " + en, name + "：" + ja]);

  // The file's pixels as 5.py reads them, or a line saying why not
  X.takePhoto = async function (file) {
    const name = file.name;
    if (!file.size) return refuse(name, "an empty file", "空のファイルです");
    const bytes = new Uint8Array(await file.arrayBuffer());
    const header = preprocessing.imageHeader(bytes);
    const tooLarge = (w, h) => refuse(name, "too large to decode safely (" + X.number(w * h) + " pixels, over " +
      X.number(preprocessing.MAX_PIXELS) + ")", "安全に読み込むには大きすぎます（" + X.number(w * h) + " ピクセル。上限は " +
      X.number(preprocessing.MAX_PIXELS) + "）");
    if (header && header.width * header.height > preprocessing.MAX_PIXELS) return tooLarge(header.width, header.height);
    if (header && header.truncated) return refuse(name, "damaged or truncated image", "壊れているか、途中で切れている画像です");
    let bitmap;
    try {
      bitmap = await createImageBitmap(new Blob([bytes]), {imageOrientation: "from-image"});
    } catch (e) {
      return refuse(name, "not an image this browser can read", "このブラウザでは読めない画像です");
    }
    if (bitmap.width * bitmap.height > preprocessing.MAX_PIXELS) return tooLarge(bitmap.width, bitmap.height);
    const canvas = document.createElement("canvas");
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    const context = canvas.getContext("2d", {willReadFrequently: true});
    context.drawImage(bitmap, 0, 0);
    bitmap.close();
    const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data;
    const input = preprocessing.toMnist(rgba, canvas.width, canvas.height, X.readerImage());
    if (!input) return refuse(name, "no ink: the image is blank or uniform", "インクが見つかりません（何も写っていないか、全体が同じ色の画像です）");
    X.setPhotoError(null);
    X.startFrom(input, "photo", name);
  };

  X.setupPhoto = function () {
    const take = (file) => { if (file) X.takePhoto(file).catch((e) => refuse(file.name, String(e), String(e))); };
    $("photo").addEventListener("change", () => { take($("photo").files[0]); $("photo").value = ""; });
    const pad = $("draw");
    pad.addEventListener("dragover", (e) => e.preventDefault()); // a drop on the pad, not a page opened
    pad.addEventListener("drop", (e) => {
      e.preventDefault();
      take(e.dataTransfer.files[0]);
    });
  };
})(window.Explorer);
