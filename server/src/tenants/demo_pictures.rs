//! The demo tenants' pictures (`tenants/<slug>/images/*.png`), drawn here:
//! simple flat scenes (a cabin under mountains, a harbour hotel, a kayak on a
//! river, a ridge at sunrise…) made by the project, so they carry no one
//! else's licence: the units' photos, and each profile's 1600 × 900 cover and
//! gallery pictures. The test checks that the committed files are what this code
//! draws; `BERTH_UPDATE_CONTRACTS=1` rewrites them.

use std::io::Cursor;
use std::path::PathBuf;

use image::{ImageFormat, Rgb, RgbImage};

const WIDTH: u32 = 960;
const HEIGHT: u32 = 640;

/// What a picture shows.
#[derive(Clone, Copy, Debug)]
enum Scene {
    /// A wooden cabin in a meadow, pines, mountains behind.
    Cabin { wall: [u8; 3], roof: [u8; 3] },
    /// A tall chalet with snow on the peaks.
    Chalet,
    /// A hotel on the quay, the sea in front.
    Hotel { facade: [u8; 3], floors: u32 },
    /// A room: a bed under a window with the sea in it.
    Room { bed: [u8; 3], king: bool },
    /// A kayak (or two) on a river between green banks.
    Kayak { seats: u32 },
    /// A paddle board on a lake at sunset.
    Paddle,
    /// Ridges at sunrise.
    Ridge,
    /// A canyon's red rock and a jeep.
    Canyon,
    /// A valley of three cabins among pines below snowy peaks.
    Valley,
    /// A lake with a wooden jetty and a rowing boat; at dusk or by day.
    Lake { evening: bool },
}

/// Every demo picture: (tenant, file name, scene).
const PICTURES: [(&str, &str, Scene); 12] = [
    (
        "alpine-cabins",
        "birch",
        Scene::Cabin {
            wall: [176, 120, 72],
            roof: [120, 52, 40],
        },
    ),
    (
        "alpine-cabins",
        "pine",
        Scene::Cabin {
            wall: [140, 94, 58],
            roof: [60, 70, 60],
        },
    ),
    ("alpine-cabins", "summit-chalet", Scene::Chalet),
    (
        "harbor-hotel",
        "standard-queen",
        Scene::Room {
            bed: [70, 110, 160],
            king: false,
        },
    ),
    (
        "harbor-hotel",
        "deluxe-king",
        Scene::Room {
            bed: [150, 70, 80],
            king: true,
        },
    ),
    (
        "harbor-hotel",
        "harbor-suite",
        Scene::Hotel {
            facade: [236, 226, 206],
            floors: 5,
        },
    ),
    (
        "harbor-hotel",
        "harbor",
        Scene::Hotel {
            facade: [214, 150, 120],
            floors: 3,
        },
    ),
    ("river-gear", "touring-kayak", Scene::Kayak { seats: 1 }),
    ("river-gear", "tandem-kayak", Scene::Kayak { seats: 2 }),
    ("river-gear", "sup", Scene::Paddle),
    ("summit-tours", "sunrise-ridge", Scene::Ridge),
    ("summit-tours", "canyon-jeep", Scene::Canyon),
];

/// A picture being drawn. Scenes are drawn in a 960 × 640 space; a canvas of
/// another size (a 1600 × 900 cover) maps each pixel into that space.
/// The size of the unit pictures and gallery pictures.
const PHOTO: (u32, u32) = (WIDTH, HEIGHT);
/// The size of a profile's cover (16:9, the scene stretched a little across).
const COVER: (u32, u32) = (1600, 900);

/// The pictures of the tenants' profiles (`profile.cover`, `profile.gallery`
/// in each `tenant.yaml`, with their alt text there): (tenant, file name,
/// scene, size). The galleries also show some unit pictures above.
const PROFILE_PICTURES: [(&str, &str, Scene, (u32, u32)); 8] = [
    ("alpine-cabins", "cover", Scene::Valley, COVER),
    (
        "alpine-cabins",
        "lake",
        Scene::Lake { evening: false },
        PHOTO,
    ),
    (
        "harbor-hotel",
        "cover",
        Scene::Hotel {
            facade: [206, 222, 236],
            floors: 4,
        },
        COVER,
    ),
    ("harbor-hotel", "bay", Scene::Lake { evening: true }, PHOTO),
    ("river-gear", "cover", Scene::Kayak { seats: 2 }, COVER),
    ("river-gear", "lake", Scene::Lake { evening: false }, PHOTO),
    ("summit-tours", "cover", Scene::Canyon, COVER),
    ("summit-tours", "valley", Scene::Valley, PHOTO),
];

struct Canvas {
    image: RgbImage,
    /// Scene units per pixel, across and down.
    scale: (f64, f64),
}

fn mix(a: [u8; 3], b: [u8; 3], t: f64) -> Rgb<u8> {
    let c = |i: usize| (f64::from(a[i]) * (1.0 - t) + f64::from(b[i]) * t).round() as u8;
    Rgb([c(0), c(1), c(2)])
}

impl Canvas {
    fn new(width: u32, height: u32) -> Self {
        Self {
            image: RgbImage::new(width, height),
            scale: (
                f64::from(WIDTH) / f64::from(width),
                f64::from(HEIGHT) / f64::from(height),
            ),
        }
    }

    /// The scene point of a pixel.
    fn at(&self, x: u32, y: u32) -> (f64, f64) {
        (f64::from(x) * self.scale.0, f64::from(y) * self.scale.1)
    }

    /// A vertical gradient over rows `[top, bottom)`.
    fn gradient(&mut self, top: u32, bottom: u32, from: [u8; 3], to: [u8; 3]) {
        let (top, end) = (f64::from(top), f64::from(bottom.min(HEIGHT)));
        let span = f64::from(bottom).max(top + 1.0) - top;
        for y in 0..self.image.height() {
            let (_, sy) = self.at(0, y);
            if sy < top || sy >= end {
                continue;
            }
            let c = mix(from, to, (sy - top) / span);
            for x in 0..self.image.width() {
                self.image.put_pixel(x, y, c);
            }
        }
    }

    /// Fills every pixel for which `inside(x, y)` holds.
    fn fill(&mut self, color: [u8; 3], inside: impl Fn(f64, f64) -> bool) {
        for y in 0..self.image.height() {
            for x in 0..self.image.width() {
                let (sx, sy) = self.at(x, y);
                if inside(sx, sy) {
                    self.image.put_pixel(x, y, Rgb(color));
                }
            }
        }
    }

    fn rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, color: [u8; 3]) {
        self.fill(color, |x, y| x >= x0 && x < x1 && y >= y0 && y < y1);
    }

    fn triangle(&mut self, a: (f64, f64), b: (f64, f64), c: (f64, f64), color: [u8; 3]) {
        let side = |p: (f64, f64), q: (f64, f64), x: f64, y: f64| {
            (q.0 - p.0) * (y - p.1) - (q.1 - p.1) * (x - p.0)
        };
        self.fill(color, |x, y| {
            let (d1, d2, d3) = (side(a, b, x, y), side(b, c, x, y), side(c, a, x, y));
            (d1 >= 0.0 && d2 >= 0.0 && d3 >= 0.0) || (d1 <= 0.0 && d2 <= 0.0 && d3 <= 0.0)
        });
    }

    fn ellipse(&mut self, cx: f64, cy: f64, rx: f64, ry: f64, color: [u8; 3]) {
        self.fill(color, |x, y| {
            ((x - cx) / rx).powi(2) + ((y - cy) / ry).powi(2) <= 1.0
        });
    }

    /// A mountain range: everything below `ridge(x)` down to `floor`.
    fn ridge(&mut self, floor: f64, color: [u8; 3], ridge: impl Fn(f64) -> f64) {
        self.fill(color, |x, y| y >= ridge(x) && y < floor);
    }

    fn pine(&mut self, x: f64, base: f64, height: f64) {
        self.rect(x - 5.0, base - height * 0.2, x + 5.0, base, [90, 60, 40]);
        for tier in 0..3 {
            let t = f64::from(tier);
            let top = base - height + t * height * 0.22;
            let w = height * (0.22 + t * 0.07);
            self.triangle(
                (x, top),
                (x - w, top + height * 0.42),
                (x + w, top + height * 0.42),
                [40, 96 - tier * 8, 60],
            );
        }
    }

    fn water(&mut self, top: u32, from: [u8; 3], to: [u8; 3]) {
        self.gradient(top, HEIGHT, from, to);
        for band in 0..12 {
            let y = f64::from(top) + 14.0 + f64::from(band) * 22.0;
            let offset = f64::from(band * 97 % 300);
            for k in 0..6 {
                let x = offset + f64::from(k) * 170.0;
                self.rect(x, y, x + 60.0, y + 3.0, mix(from, [255, 255, 255], 0.35).0);
            }
        }
    }

    fn png(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.image
            .write_to(&mut Cursor::new(&mut out), ImageFormat::Png)
            .expect("encode png");
        out
    }
}

fn mountains(c: &mut Canvas, snow: bool) {
    c.ridge(420.0, [120, 130, 150], |x| {
        200.0 + 70.0 * (x / 140.0).sin() + 40.0 * (x / 53.0).cos()
    });
    if snow {
        c.fill([245, 248, 252], |x, y| {
            let ridge = 200.0 + 70.0 * (x / 140.0).sin() + 40.0 * (x / 53.0).cos();
            y >= ridge && y < ridge + 28.0 && ridge < 215.0
        });
    }
    c.ridge(440.0, [92, 110, 96], |x| {
        300.0 + 40.0 * (x / 90.0 + 1.0).sin()
    });
}

fn draw(scene: Scene, (width, height): (u32, u32)) -> Canvas {
    let mut c = Canvas::new(width, height);
    match scene {
        Scene::Cabin { wall, roof } => {
            c.gradient(0, 420, [120, 170, 230], [210, 230, 245]);
            mountains(&mut c, true);
            c.gradient(420, HEIGHT, [110, 160, 80], [70, 120, 50]);
            c.rect(330.0, 300.0, 630.0, 480.0, wall);
            for log in 0..9 {
                let y = 306.0 + f64::from(log) * 20.0;
                c.rect(330.0, y, 630.0, y + 2.0, mix(wall, [0, 0, 0], 0.3).0);
            }
            c.triangle((300.0, 305.0), (480.0, 190.0), (660.0, 305.0), roof);
            c.rect(450.0, 390.0, 510.0, 480.0, [80, 50, 30]);
            c.rect(360.0, 340.0, 420.0, 390.0, [250, 220, 140]);
            c.rect(540.0, 340.0, 600.0, 390.0, [250, 220, 140]);
            for (x, h) in [
                (120.0, 220.0),
                (210.0, 170.0),
                (760.0, 240.0),
                (860.0, 190.0),
            ] {
                c.pine(x, 500.0, h);
            }
        }
        Scene::Chalet => {
            c.gradient(0, 420, [90, 140, 210], [200, 225, 245]);
            mountains(&mut c, true);
            c.gradient(420, HEIGHT, [236, 240, 246], [210, 220, 232]);
            c.rect(360.0, 250.0, 600.0, 470.0, [150, 100, 60]);
            c.triangle((320.0, 260.0), (480.0, 150.0), (640.0, 260.0), [90, 60, 50]);
            c.rect(350.0, 340.0, 610.0, 352.0, [110, 70, 40]);
            for x in [390.0, 460.0, 530.0] {
                c.rect(x, 280.0, x + 40.0, 330.0, [255, 214, 120]);
                c.rect(x, 380.0, x + 40.0, 430.0, [255, 214, 120]);
            }
            c.ellipse(160.0, 520.0, 90.0, 26.0, [120, 190, 220]);
            for (x, h) in [(90.0, 200.0), (820.0, 230.0)] {
                c.pine(x, 480.0, h);
            }
        }
        Scene::Hotel { facade, floors } => {
            c.gradient(0, 460, [140, 190, 235], [230, 240, 250]);
            c.sun(800.0, 110.0, 46.0, [255, 236, 160]);
            let top = 430.0 - f64::from(floors) * 62.0;
            c.rect(240.0, top, 720.0, 440.0, facade);
            c.rect(230.0, top - 16.0, 730.0, top, mix(facade, [0, 0, 0], 0.3).0);
            for floor in 0..floors {
                for col in 0..6 {
                    let x = 270.0 + f64::from(col) * 72.0;
                    let y = top + 18.0 + f64::from(floor) * 62.0;
                    c.rect(x, y, x + 40.0, y + 36.0, [70, 110, 150]);
                }
            }
            c.rect(0.0, 440.0, f64::from(WIDTH), 470.0, [170, 160, 150]);
            c.water(470, [40, 110, 160], [20, 60, 110]);
            c.triangle(
                (120.0, 560.0),
                (150.0, 470.0),
                (150.0, 560.0),
                [250, 250, 250],
            );
            c.rect(90.0, 560.0, 190.0, 575.0, [150, 60, 50]);
        }
        Scene::Room { bed, king } => {
            c.gradient(0, HEIGHT, [236, 228, 214], [214, 204, 190]);
            c.rect(300.0, 80.0, 660.0, 300.0, [250, 250, 250]);
            c.gradient(92, 200, [150, 200, 240], [200, 230, 250]);
            c.rect(0.0, 0.0, 312.0, 92.0, [236, 228, 214]);
            c.rect(648.0, 0.0, f64::from(WIDTH), 300.0, [236, 228, 214]);
            c.rect(0.0, 92.0, 312.0, 300.0, [236, 228, 214]);
            c.rect(312.0, 200.0, 648.0, 288.0, [40, 100, 150]);
            c.gradient(500, HEIGHT, [150, 110, 80], [120, 85, 60]);
            let half = if king { 280.0 } else { 210.0 };
            c.rect(480.0 - half, 330.0, 480.0 + half, 380.0, [110, 80, 60]);
            c.rect(480.0 - half, 370.0, 480.0 + half, 520.0, [248, 248, 244]);
            c.rect(480.0 - half, 430.0, 480.0 + half, 520.0, bed);
            c.ellipse(480.0 - half / 2.0, 395.0, 70.0, 24.0, [255, 255, 255]);
            c.ellipse(480.0 + half / 2.0, 395.0, 70.0, 24.0, [255, 255, 255]);
        }
        Scene::Kayak { seats } => {
            c.gradient(0, 300, [130, 180, 235], [215, 235, 250]);
            c.ridge(360.0, [70, 130, 70], |x| 250.0 + 30.0 * (x / 120.0).sin());
            c.water(360, [60, 130, 150], [30, 80, 100]);
            c.ellipse(480.0, 500.0, 260.0, 30.0, [230, 120, 40]);
            c.ellipse(480.0, 492.0, 200.0, 10.0, [250, 160, 70]);
            for seat in 0..seats {
                let x = if seats == 1 {
                    480.0
                } else {
                    400.0 + f64::from(seat) * 160.0
                };
                c.ellipse(x, 490.0, 34.0, 12.0, [40, 40, 40]);
            }
            c.triangle(
                (250.0, 430.0),
                (262.0, 426.0),
                (720.0, 560.0),
                [220, 220, 220],
            );
            for (x, h) in [(80.0, 150.0), (150.0, 120.0), (880.0, 160.0)] {
                c.pine(x, 330.0, h);
            }
        }
        Scene::Paddle => {
            c.gradient(0, 380, [250, 150, 90], [255, 215, 150]);
            c.sun(480.0, 360.0, 90.0, [255, 245, 200]);
            c.ridge(380.0, [120, 80, 90], |x| 320.0 + 25.0 * (x / 100.0).sin());
            c.water(380, [210, 130, 110], [80, 60, 90]);
            c.ellipse(480.0, 520.0, 190.0, 16.0, [40, 160, 180]);
            c.rect(470.0, 400.0, 490.0, 512.0, [50, 40, 50]);
            c.ellipse(480.0, 388.0, 16.0, 16.0, [50, 40, 50]);
            c.triangle((420.0, 420.0), (426.0, 416.0), (560.0, 540.0), [60, 50, 60]);
        }
        Scene::Ridge => {
            c.gradient(0, HEIGHT, [250, 180, 150], [255, 230, 190]);
            c.sun(300.0, 300.0, 60.0, [255, 240, 190]);
            c.ridge(f64::from(HEIGHT), [160, 110, 130], |x| {
                260.0 + 60.0 * (x / 110.0).sin()
            });
            c.ridge(f64::from(HEIGHT), [110, 80, 110], |x| {
                360.0 + 50.0 * (x / 80.0 + 2.0).cos()
            });
            c.ridge(f64::from(HEIGHT), [60, 50, 80], |x| {
                470.0 + 30.0 * (x / 60.0).sin()
            });
            for k in 0..5 {
                let x = 560.0 + f64::from(k) * 22.0;
                let y = 440.0 + 30.0 * (x / 60.0).sin();
                c.rect(x, y - 26.0, x + 6.0, y, [30, 25, 40]);
            }
        }
        Scene::Canyon => {
            c.gradient(0, 260, [100, 160, 230], [200, 225, 245]);
            for (i, color) in [[190, 90, 50], [170, 75, 45], [200, 120, 70], [150, 65, 40]]
                .into_iter()
                .enumerate()
            {
                let base = 200.0 + i as f64 * 70.0;
                c.ridge(f64::from(HEIGHT), color, move |x| {
                    base + 40.0 * (x / (70.0 + i as f64 * 20.0)).sin()
                });
            }
            c.gradient(520, HEIGHT, [210, 160, 110], [190, 140, 90]);
            c.rect(380.0, 470.0, 600.0, 530.0, [60, 110, 70]);
            c.rect(420.0, 430.0, 560.0, 472.0, [60, 110, 70]);
            c.rect(440.0, 438.0, 540.0, 466.0, [170, 210, 230]);
            c.ellipse(420.0, 535.0, 30.0, 30.0, [30, 30, 30]);
            c.ellipse(560.0, 535.0, 30.0, 30.0, [30, 30, 30]);
        }
        Scene::Valley => {
            c.gradient(0, 400, [100, 150, 220], [205, 228, 246]);
            mountains(&mut c, true);
            c.gradient(420, HEIGHT, [120, 170, 84], [76, 126, 54]);
            for (x, wall, roof) in [
                (250.0, [176, 120, 72], [120, 52, 40]),
                (480.0, [150, 100, 62], [70, 80, 70]),
                (710.0, [190, 136, 86], [110, 60, 48]),
            ] {
                c.rect(x - 70.0, 400.0, x + 70.0, 480.0, wall);
                c.triangle((x - 90.0, 405.0), (x, 340.0), (x + 90.0, 405.0), roof);
                c.rect(x - 14.0, 438.0, x + 14.0, 480.0, [80, 50, 30]);
                c.rect(x - 55.0, 418.0, x - 28.0, 444.0, [250, 220, 140]);
                c.rect(x + 28.0, 418.0, x + 55.0, 444.0, [250, 220, 140]);
            }
            c.rect(0.0, 560.0, f64::from(WIDTH), 572.0, [196, 180, 140]);
            for (x, h) in [
                (70.0, 230.0),
                (150.0, 180.0),
                (850.0, 210.0),
                (920.0, 170.0),
            ] {
                c.pine(x, 540.0, h);
            }
        }
        Scene::Lake { evening } => {
            let (sky, glow, water) = if evening {
                ([70, 80, 140], [250, 170, 120], [90, 90, 140])
            } else {
                ([110, 165, 230], [215, 235, 250], [60, 130, 170])
            };
            c.gradient(0, 330, sky, glow);
            if evening {
                c.sun(760.0, 170.0, 45.0, [255, 220, 160]);
            }
            c.ridge(330.0, [96, 112, 120], |x| 230.0 + 50.0 * (x / 120.0).sin());
            c.ridge(340.0, [70, 110, 80], |x| {
                290.0 + 20.0 * (x / 70.0 + 1.0).sin()
            });
            c.water(340, water, mix(water, [0, 0, 0], 0.5).0);
            c.rect(120.0, 430.0, 520.0, 452.0, [150, 110, 70]);
            for x in [140.0, 260.0, 380.0, 500.0] {
                c.rect(x, 452.0, x + 10.0, 520.0, [110, 80, 50]);
            }
            c.ellipse(700.0, 520.0, 110.0, 22.0, [200, 70, 50]);
            c.ellipse(700.0, 512.0, 86.0, 8.0, [240, 230, 210]);
        }
    }
    c
}

impl Canvas {
    /// A disc, round on a canvas of any size (`r` across, in scene units).
    fn sun(&mut self, cx: f64, cy: f64, r: f64, color: [u8; 3]) {
        let down = r * self.scale.1 / self.scale.0;
        self.ellipse(cx, cy, r, down, color);
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn demo_pictures_are_current() {
    let update = std::env::var("BERTH_UPDATE_CONTRACTS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    let units = PICTURES.map(|(tenant, name, scene)| (tenant, name, scene, PHOTO));
    for (tenant, name, scene, size) in units.into_iter().chain(PROFILE_PICTURES) {
        let path = repo().join(format!("tenants/{tenant}/images/{name}.png"));
        let drawn = draw(scene, size).png();
        // Small enough to ship: a photo-sized picture under 60 KB, a cover
        // under 100 KB.
        let limit = if size == COVER { 100 } else { 60 } * 1024;
        assert!(
            drawn.len() < limit,
            "{tenant}/{name}: {} bytes",
            drawn.len()
        );
        if std::fs::read(&path).ok().as_deref() != Some(drawn.as_slice()) {
            if update {
                std::fs::create_dir_all(path.parent().expect("dir")).expect("mkdir");
                std::fs::write(&path, &drawn).expect("write");
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale demo pictures: {stale:?}; run `BERTH_UPDATE_CONTRACTS=1 cargo test -p berth --bin berth demo_pictures` and commit"
    );
}
