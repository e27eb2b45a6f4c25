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
