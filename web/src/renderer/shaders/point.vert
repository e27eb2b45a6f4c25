// One point per vertex. flags: bit 0 selected, 1 hidden (isolate), 2 hovered, 3 faded (outside
// the column filters), 4 neighbour of the inspected point.
attribute vec3 rgb;
attribute float flags;
attribute float pid;
uniform float size;
uniform float scale;
uniform bool perspective;
uniform bool hasSelection;
uniform vec3 background;
uniform bool thumbs;
uniform float thumbSize;
varying vec3 vColor;
varying float vId;
varying float vRing;

float bit(float value, float k) {
  return mod(floor(value / pow(2.0, k)), 2.0);
}

void main() {
  bool selected = bit(flags, 0.0) > 0.5;
  bool hidden = bit(flags, 1.0) > 0.5;
  bool hovered = bit(flags, 2.0) > 0.5;
  bool faded = bit(flags, 3.0) > 0.5;
  bool neighbor = bit(flags, 4.0) > 0.5;
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  // Hidden points are moved outside the clip volume: cheaper than rebuilding the buffers.
  gl_Position = hidden ? vec4(2.0, 2.0, 2.0, 1.0) : projectionMatrix * mv;
  float s = (thumbs ? thumbSize : size) * (selected ? 1.5 : 1.0) * (hovered ? 2.5 : 1.0)
    * (neighbor ? 1.8 : 1.0) * (faded ? 0.6 : 1.0);
  vId = pid;
  vRing = neighbor || hovered ? 1.0 : 0.0;
  gl_PointSize = perspective ? max(1.0, s * scale / -mv.z) : s * scale / 3.2;
  // With a selection, the rest fade towards the background instead of going transparent, so
  // that no depth sorting is needed; points outside the filters fade further.
  vec3 color = (hasSelection && !selected && !hovered && !neighbor) ? mix(rgb, background, 0.6) : rgb;
  vColor = faded && !hovered ? mix(color, background, 0.85) : color;
}
