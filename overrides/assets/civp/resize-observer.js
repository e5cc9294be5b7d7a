/*
 * A minimal ResizeObserver for old Android WebViews. Without one, Material fetches a polyfill
 * from unpkg.com; the site makes no third-party requests, so it gets this instead: it reports
 * sizes on observe() and on window resize, which is all Material's layout needs.
 */
(function () {
  "use strict";
  if (typeof window.ResizeObserver !== "undefined") {
    return;
  }

  function entry(target) {
    return { target: target, contentRect: target.getBoundingClientRect() };
  }

  function ResizeObserver(callback) {
    var self = this;
    self.callback = callback;
    self.targets = [];
    self.notify = function () {
      if (self.targets.length) {
        self.callback(self.targets.map(entry), self);
      }
    };
    window.addEventListener("resize", self.notify);
  }

  ResizeObserver.prototype.observe = function (target) {
    var self = this;
    if (self.targets.indexOf(target) < 0) {
      self.targets.push(target);
    }
    window.setTimeout(function () {
      self.callback([entry(target)], self);
    }, 0);
  };

  ResizeObserver.prototype.unobserve = function (target) {
    this.targets = this.targets.filter(function (observed) {
      return observed !== target;
    });
  };

  ResizeObserver.prototype.disconnect = function () {
    this.targets = [];
    window.removeEventListener("resize", this.notify);
  };

  window.ResizeObserver = ResizeObserver;
})();
