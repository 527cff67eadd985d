fn main() {
    eop::ui::start();
}
