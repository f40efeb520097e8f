// The libraries the page loads as classic scripts (webjars, no bundler), as modules for the rest.
export const { h, render, Fragment } = window.preact;
export const { useState, useEffect, useRef, useCallback, useMemo } = window.preactHooks;
export const html = window.htm.bind(h);
export const uPlot = window.uPlot;
