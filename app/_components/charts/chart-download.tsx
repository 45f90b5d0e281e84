"use client";

import { useRef, useState } from "react";

// Each chart as a picture (issue 14): the SVG shown in the chart's frame, serialised as it is
// drawn (the server-drawn charts carry their legend and every colour as attributes; a Recharts
// drawing gets a white background and the page's font), and the same as a PNG at twice its
// size, drawn on a canvas. Nothing leaves the browser.

export function ChartDownload({ title }: { title: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const file = title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 80);

  const serialise = (): { xml: string; width: number; height: number } | null => {
    const frame = ref.current?.closest(".chart-panel");
    const svgs = [...(frame?.querySelectorAll<SVGSVGElement>(".chart-area svg[data-chart-svg], .chart-area svg.recharts-surface") ?? [])];
    const svg = svgs.find((s) => s.getClientRects().length > 0);
    if (!svg) return null;
    const box = svg.getBoundingClientRect();
    const view = svg.viewBox?.baseVal;
    const width = Math.round(view && view.width > 0 ? view.width : box.width);
    const height = Math.round(view && view.height > 0 ? view.height : box.height);
    const copy = svg.cloneNode(true) as SVGSVGElement;
    copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
    copy.setAttribute("width", String(width));
    copy.setAttribute("height", String(height));
    if (!copy.getAttribute("viewBox")) copy.setAttribute("viewBox", `0 0 ${width} ${height}`);
    if (!copy.getAttribute("font-family")) copy.setAttribute("font-family", getComputedStyle(svg).fontFamily);
    if (!svg.hasAttribute("data-chart-svg")) {
      const background = document.createElementNS("http://www.w3.org/2000/svg", "rect");
      background.setAttribute("width", "100%");
      background.setAttribute("height", "100%");
      background.setAttribute("fill", "#ffffff");
      copy.insertBefore(background, copy.firstChild);
    }
    const heading = document.createElementNS("http://www.w3.org/2000/svg", "title");
    heading.textContent = title;
    copy.insertBefore(heading, copy.firstChild);
    return { xml: `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}`, width, height };
  };

  const save = (blob: Blob, name: string) => {
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const svg = () => {
    const drawn = serialise();
    if (!drawn) return setProblem("There is no chart drawn to download.");
    setProblem(null);
    save(new Blob([drawn.xml], { type: "image/svg+xml" }), `${file}.svg`);
  };

  const png = () => {
    const drawn = serialise();
    if (!drawn) return setProblem("There is no chart drawn to download.");
    const url = URL.createObjectURL(new Blob([drawn.xml], { type: "image/svg+xml" }));
    const image = new Image();
    image.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = drawn.width * 2;
      canvas.height = drawn.height * 2;
      const context = canvas.getContext("2d");
      if (!context) return setProblem("This browser cannot draw the picture.");
      context.fillStyle = "#ffffff";
      context.fillRect(0, 0, canvas.width, canvas.height);
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      canvas.toBlob((blob) => {
        if (!blob) return setProblem("This browser cannot make a PNG of the chart.");
        setProblem(null);
        save(blob, `${file}.png`);
      }, "image/png");
    };
    image.onerror = () => {
      URL.revokeObjectURL(url);
      setProblem("This browser cannot make a PNG of the chart.");
    };
    image.src = url;
  };

  return (
    <div className="chart-download" ref={ref}>
      <button type="button" className="secondary small" onClick={png} data-action="png">
        PNG<span className="visually-hidden"> picture of {title}</span>
      </button>
      <button type="button" className="secondary small" onClick={svg} data-action="svg">
        SVG<span className="visually-hidden"> drawing of {title}</span>
      </button>
      {problem ? (
        <span role="alert" className="field-error">
          {problem}
        </span>
      ) : null}
    </div>
  );
}
