/**
 * Thumbnails from the server's atlas tiles: each tile (2048 px, 1,024 thumbnails) is fetched
 * once, on first need, and cells are copied out of it with `drawImage`.
 */
import type { AtlasLayout } from "../api/client";
import { thumbTileUrl } from "../api/client";

export class ThumbAtlas {
  private tiles = new Map<number, Promise<HTMLImageElement>>();

  constructor(private layout: AtlasLayout) {}

  private tile(index: number): Promise<HTMLImageElement> {
    let tile = this.tiles.get(index);
    if (!tile) {
      tile = new Promise((resolve, reject) => {
        const image = new Image();
        image.onload = () => resolve(image);
        image.onerror = () => reject(new Error(`thumbnail tile ${index} failed to load`));
        image.src = thumbTileUrl(index);
      });
      this.tiles.set(index, tile);
    }
    return tile;
  }

  /** Grey bytes of every tile, stacked, for the renderer's thumbnail mode. */
  async layers(): Promise<{ data: Uint8Array; side: number; tiles: number; perRow: number }> {
    const { n_tiles: tiles, tile_px: side, per_row: perRow } = this.layout;
    const data = new Uint8Array(tiles * side * side);
    const canvas = document.createElement("canvas");
    canvas.width = side;
    canvas.height = side;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    if (!ctx) throw new Error("no 2-D canvas");
    for (let t = 0; t < tiles; t++) {
      const image = await this.tile(t);
      ctx.clearRect(0, 0, side, side);
      ctx.drawImage(image, 0, 0);
      const rgba = ctx.getImageData(0, 0, side, side).data;
      const layer = data.subarray(t * side * side, (t + 1) * side * side);
      for (let k = 0; k < layer.length; k++) layer[k] = rgba[4 * k];
    }
    return { data, side, tiles, perRow };
  }

  /** Draw point `id`'s thumbnail over the whole of `canvas`. */
  async draw(canvas: HTMLCanvasElement, id: number): Promise<void> {
    const { per_tile, per_row, thumb } = this.layout;
    if (id < 0 || id >= this.layout.n_points) return;
    const image = await this.tile(Math.floor(id / per_tile));
    const cell = id % per_tile;
    const ctx = canvas.getContext("2d");
    if (!ctx) return;
    ctx.imageSmoothingEnabled = false;
    const sx = (cell % per_row) * thumb;
    const sy = Math.floor(cell / per_row) * thumb;
    ctx.drawImage(image, sx, sy, thumb, thumb, 0, 0, canvas.width, canvas.height);
  }

  /** A new canvas holding point `id`'s thumbnail. */
  canvas(id: number, size = 64): HTMLCanvasElement {
    const canvas = document.createElement("canvas");
    canvas.width = size;
    canvas.height = size;
    void this.draw(canvas, id);
    return canvas;
  }
}
